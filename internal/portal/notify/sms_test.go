package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// gateway is an httptest SMS receiver that answers the statuses in plan, then 200.
type gateway struct {
	mu     sync.Mutex
	plan   []int
	bodies []string
	auth   []string
	ctype  []string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bodies = append(g.bodies, string(b))
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	g.ctype = append(g.ctype, r.Header.Get("Content-Type"))
	status := http.StatusOK
	if len(g.plan) > 0 {
		status, g.plan = g.plan[0], g.plan[1:]
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("echo: " + string(b)))
}

func (g *gateway) calls() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.bodies) }

func smsRig(t *testing.T, g *gateway, body, ctype string, maxAttempts int) (rig, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	s, err := NewSMSSender(SMSConfig{URL: srv.URL + "/send", Body: body, ContentType: ctype,
		AuthHeader: "Authorization", AuthValue: "Bearer gw-key"})
	if err != nil {
		t.Fatal(err)
	}
	return newRig(map[string]Sender{api.ChannelSMS: s}, maxAttempts), srv
}

func otpSMS() Message {
	return Message{Channel: api.ChannelSMS, To: "+33612345678", Template: TmplOTPCode, Data: Data{Code: "482913", Minutes: 5}}
}

const jsonBody = `{"to":"{{to}}","text":"{{text}}"}`

func TestSMSJSONGateway(t *testing.T) {
	g := &gateway{}
	r, _ := smsRig(t, g, jsonBody, "", 5)
	id, err := r.n.Send(context.Background(), otpSMS())
	if err != nil {
		t.Fatal(err)
	}
	if rep := r.drain(t, id); rep.Status != StatusDelivered || rep.Attempts != 1 {
		t.Fatalf("report %+v", rep)
	}
	var got struct{ To, Text string }
	if err := json.Unmarshal([]byte(g.bodies[0]), &got); err != nil {
		t.Fatalf("gateway got invalid JSON %q: %v", g.bodies[0], err)
	}
	if got.To != "+33612345678" || got.Text != "Votre code de connexion SI-SAMU : 482913. Il est valable 5 minutes." {
		t.Fatalf("gateway got %+v", got)
	}
	if g.auth[0] != "Bearer gw-key" || g.ctype[0] != "application/json" {
		t.Fatalf("headers %q %q", g.auth[0], g.ctype[0])
	}
	if logs := r.log.String(); strings.Contains(logs, "482913") || !strings.Contains(logs, "06 •• •• •• 78") {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestSMSFormGateway(t *testing.T) {
	g := &gateway{}
	r, _ := smsRig(t, g, "to={{to}}&text={{text}}&from=SAMU", "application/x-www-form-urlencoded", 5)
	id, _ := r.n.Send(context.Background(), otpSMS())
	r.drain(t, id)
	v, err := url.ParseQuery(g.bodies[0])
	if err != nil || v.Get("to") != "+33612345678" || !strings.Contains(v.Get("text"), "482913") || v.Get("from") != "SAMU" {
		t.Fatalf("form %q: %v", g.bodies[0], err)
	}
}

func TestSMSRetryTwiceThenDelivered(t *testing.T) {
	g := &gateway{plan: []int{503, 503}}
	r, _ := smsRig(t, g, jsonBody, "", 5)
	ctx := context.Background()
	id, _ := r.n.Send(ctx, otpSMS())
	start := r.clk.Now()
	r.n.ProcessDue(ctx)
	j, _ := r.q.Get(ctx, id)
	if j.Status != StatusPending || j.Attempts != 1 || !j.NextAt.Equal(start.Add(2*time.Second)) || !strings.Contains(j.Reason, "503") {
		t.Fatalf("after 1st failure: %+v", j)
	}
	// Not due yet: nothing is tried.
	if n, _ := r.n.ProcessDue(ctx); n != 0 {
		t.Fatalf("tried %d jobs before the backoff ran out", n)
	}
	r.clk.Add(2 * time.Second)
	r.n.ProcessDue(ctx)
	j, _ = r.q.Get(ctx, id)
	if j.Attempts != 2 || !j.NextAt.Equal(r.clk.Now().Add(4*time.Second)) {
		t.Fatalf("after 2nd failure (backoff must double): %+v", j)
	}
	rep := r.drain(t, id)
	if rep.Status != StatusDelivered || rep.Attempts != 3 || g.calls() != 3 {
		t.Fatalf("report %+v, %d calls", rep, g.calls())
	}
}

func TestSMSPermanentFailureReported(t *testing.T) {
	g := &gateway{plan: []int{400}}
	r, _ := smsRig(t, g, jsonBody, "", 5)
	id, _ := r.n.Send(context.Background(), otpSMS())
	rep := r.drain(t, id)
	if rep.Status != StatusFailed || rep.Attempts != 1 || !strings.Contains(rep.Reason, "HTTP 400") {
		t.Fatalf("report %+v", rep)
	}
	if strings.Contains(rep.Reason, "482913") || strings.Contains(rep.Reason, "echo") {
		t.Fatalf("reason carries the gateway body: %q", rep.Reason)
	}
	if g.calls() != 1 {
		t.Fatalf("%d calls for a permanent failure", g.calls())
	}
}

func TestSMSGivesUpAfterMaxAttempts(t *testing.T) {
	g := &gateway{plan: []int{500, 502, 503, 504}}
	r, _ := smsRig(t, g, jsonBody, "", 3)
	id, _ := r.n.Send(context.Background(), otpSMS())
	rep := r.drain(t, id)
	if rep.Status != StatusFailed || rep.Attempts != 3 || g.calls() != 3 || !strings.Contains(rep.Reason, "503") {
		t.Fatalf("report %+v, %d calls", rep, g.calls())
	}
	if j, _ := r.q.Get(context.Background(), id); j.Envelope.Body != "" {
		t.Fatal("body kept after failure")
	}
}

func TestSMSConfigChecks(t *testing.T) {
	for _, c := range []SMSConfig{
		{URL: "ftp://x/send", Body: jsonBody},
		{URL: "https://gw.example/send", Body: `{"to":"{{to}}"}`},
		{URL: "https://gw.example/send", Body: jsonBody, ContentType: "text/plain"},
	} {
		if _, err := NewSMSSender(c); err == nil {
			t.Errorf("NewSMSSender(%+v) accepted", c)
		}
	}
}

func TestSendRefusals(t *testing.T) {
	r := newRig(map[string]Sender{api.ChannelSMS: NewOutbox(0)}, 5)
	ctx := context.Background()
	if _, err := r.n.Send(ctx, otpMail("a@exemple.fr")); err == nil {
		t.Fatal("e-mail accepted without an e-mail sender")
	}
	m := Message{Channel: api.ChannelSMS, To: "+33612345678", Template: TmplRecoveryLink,
		Data: Data{Identifiant: "a.b", Link: "https://x", Minutes: 15}}
	if _, err := r.n.Send(ctx, m); err == nil {
		t.Fatal("a template without SMS form accepted by SMS")
	}
	if _, err := r.n.Status(ctx, "nope"); err == nil {
		t.Fatal("status of an unknown job")
	}
}

func TestSMSOverTLS(t *testing.T) {
	g := &gateway{}
	srv := httptest.NewTLSServer(g)
	defer srv.Close()
	s, err := NewSMSSender(SMSConfig{URL: srv.URL + "/send", Body: jsonBody, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Envelope{Channel: api.ChannelSMS, To: "+33612345678", Body: "a \"quoted\" text\n"}); err != nil {
		t.Fatal(err)
	}
	var got struct{ To, Text string }
	if err := json.Unmarshal([]byte(g.bodies[0]), &got); err != nil || got.Text != "a \"quoted\" text\n" {
		t.Fatalf("gateway got %q: %v", g.bodies[0], err)
	}
	// A client that does not trust the gateway's certificate fails, and says so.
	s2, _ := NewSMSSender(SMSConfig{URL: srv.URL + "/send", Body: jsonBody})
	if err := s2.Send(context.Background(), Envelope{To: "+33612345678", Body: "x"}); err == nil || IsPermanent(err) {
		t.Fatalf("untrusted gateway: %v", err)
	}
}
