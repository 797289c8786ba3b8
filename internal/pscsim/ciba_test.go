package pscsim

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

func TestCIBAPendingThenApproved(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("899700000005", "42"))
	if a.Status != 200 || a.AuthReqID == "" || a.Interval != 1 || a.ExpiresIn < 119 || a.ExpiresIn > 120 {
		t.Fatalf("ciba answer %+v", a)
	}
	p, err := s.WaitPending(context.Background(), "899700000005")
	if err != nil || p.AuthReqID != a.AuthReqID || p.BindingCode != "42" || p.Channel != "MOBILE" {
		t.Fatalf("pending push %+v, %v", p, err)
	}
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.Error != "authorization_pending" {
		t.Fatalf("first poll: %+v", got)
	}
	if err := s.Approve(a.AuthReqID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(s.cfg.Interval)
	got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID))
	if got.Status != 200 || got.IDToken == "" || got.AccessToken == "" {
		t.Fatalf("poll after approval: %+v", got)
	}
	st := s.Stats()
	if st.Polls != 2 || st.PollsByID[a.AuthReqID] != 2 || st.PollsAfterExpiry != 0 || st.TooFast != 0 {
		t.Fatalf("stats %+v", st)
	}
	if p, _ := s.Push(a.AuthReqID); p.State != StateApproved || len(p.Answers) != 2 || p.Answers[1] != "tokens" {
		t.Fatalf("push %+v", p)
	}
}

// pollUntilFinal polls at the interval (plus 5 s per slow_down) until a final answer.
func pollUntilFinal(t *testing.T, s *Server, hc *http.Client, clientID string, a oauthAnswer) oauthAnswer {
	t.Helper()
	interval := time.Duration(a.Interval) * time.Second
	deadline := time.Now().Add(time.Duration(a.ExpiresIn) * time.Second)
	for time.Now().Before(deadline) {
		got := postForm(t, hc, s.tokenURL(), clientID, pollForm(a.AuthReqID))
		switch got.Error {
		case "authorization_pending":
		case "slow_down":
			interval += 5 * time.Second
		default:
			return got
		}
		time.Sleep(interval)
	}
	t.Fatal("no final answer before expiry")
	return oauthAnswer{}
}

func TestCIBADenied(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{Approve: ApproveDeny, ApproveDelay: 300 * time.Millisecond}})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("0999700016", "13"))
	got := pollUntilFinal(t, s, hc, testClient, a)
	if got.Error != "access_denied" || got.Status != 400 {
		t.Fatalf("final answer %+v, want access_denied", got)
	}
	if p, _ := s.Push(a.AuthReqID); p.State != StateDenied {
		t.Fatalf("push %+v", p)
	}
	// A client polling again after the final answer is counted.
	postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID))
	if st := s.Stats(); st.PollsAfterFinal != 1 {
		t.Fatalf("stats %+v, want one poll after the final answer", st)
	}
}

func TestCIBAExpiredAndPollAfterExpiryCounted(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{ExpiresIn: 2 * time.Second}})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("899700000005", "55"))
	if a.ExpiresIn < 1 || a.ExpiresIn > 2 {
		t.Fatalf("expires_in %d, want the knob's 2 s", a.ExpiresIn)
	}
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.Error != "authorization_pending" {
		t.Fatalf("before expiry: %+v", got)
	}
	p, _ := s.Push(a.AuthReqID)
	time.Sleep(time.Until(p.Expires) + 10*time.Millisecond)
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.Error != "expired_token" {
		t.Fatalf("after expiry: %+v, want expired_token", got)
	}
	st := s.Stats()
	if st.PollsAfterExpiry != 1 {
		t.Fatalf("stats %+v: the poll after expiry went unnoticed", st)
	}
	if err := s.Approve(a.AuthReqID); err != ErrExpired {
		t.Fatalf("approve after expiry: %v, want ErrExpired", err)
	}
	if len(s.Pending()) != 0 {
		t.Fatalf("pending after expiry: %+v", s.Pending())
	}
}

func TestCIBASlowDown(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{SlowDown: 1}})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("899700000005", "31"))
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.Error != "slow_down" {
		t.Fatalf("first poll %+v, want slow_down", got)
	}
	// Polling again after the old interval (1 s), not the grown one (6 s), is too fast.
	time.Sleep(time.Second)
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.Error != "authorization_pending" {
		t.Fatalf("second poll %+v", got)
	}
	st := s.Stats()
	if st.SlowDownSent != 1 || st.TooFast != 1 {
		t.Fatalf("stats %+v, want one slow_down sent and one too-fast poll", st)
	}
}

func TestCIBARefusals(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"unknown holder":   {cibaForm("899700999999", "12"), "unknown_user_id"},
		"binding 3 digits": {cibaForm("899700000005", "123"), "invalid_binding_message"},
		"bad channel":      {func() url.Values { f := cibaForm("899700000005", "12"); f.Set("channel", "SMS"); return f }(), "invalid_request"},
	} {
		if got := postForm(t, hc, s.cibaURL(), testClient, tc.form); got.Error != tc.want {
			t.Errorf("%s: %+v, want %s", name, got, tc.want)
		}
	}
	if n := len(s.Pushes()); n != 0 {
		t.Fatalf("%d pushes recorded for refused requests", n)
	}
}

func TestTLSClientAuthRequiredForDevClient(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{Approve: ApproveAuto}})
	good, err := s.PKI().IssueClient(DevClientID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.PKI().IssueClient("someone-else")
	if err != nil {
		t.Fatal(err)
	}
	for name, hc := range map[string]*http.Client{"no certificate": httpClient(s), "wrong subject": httpClient(s, other)} {
		if got := postForm(t, hc, s.cibaURL(), "", cibaForm("899700000005", "42")); got.Error != "invalid_client" {
			t.Errorf("%s: %+v, want invalid_client", name, got)
		}
	}
	// A certificate of another PKI with the right subject: the TLS handshake itself fails.
	foreign, err := pki.NewNamed("AC RACINE AUTRE TEST", "AC AUTRE TEST")
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := foreign.IssueClient(DevClientID)
	if err != nil {
		t.Fatal(err)
	}
	forced := httpClient(s)
	forced.Transport.(*http.Transport).TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return &impostor, nil // sent even though the server names other CAs
	}
	req, _ := postRequest(s.cibaURL(), cibaForm("899700000005", "42"))
	if resp, err := forced.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a client certificate of another PKI was accepted: %d", resp.StatusCode)
	}
	hc := httpClient(s, good)
	a := postForm(t, hc, s.cibaURL(), "", cibaForm("899700000005", "42"))
	if a.AuthReqID == "" {
		t.Fatalf("with the dev certificate: %+v", a)
	}
	if got := pollUntilFinal(t, s, hc, "", a); got.IDToken == "" {
		t.Fatalf("tokens with the dev certificate: %+v", got)
	}
}
