package server_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/testrig/chrome"
)

// signInPage drives the simulator's PSC login page in the real browser: national id, e-CPS,
// « Se connecter ». The browser trusts the loopback test PKI by ignoring certificate errors
// (Chromium has no per-profile root store to give it); the portal's own TLS to the simulator
// verifies against the test root.
func signInPage(bctx context.Context, nationalID string) func(string) error {
	return func(url string) error {
		return chromedp.Do(bctx, chromedp.Navigate(url), chromedp.WaitVisible("#national_id"),
			chromedp.SetValue("#national_id", nationalID), chromedp.Click("#se-connecter"))
	}
}

// The agent's side (client.BrowserSignIn) with a real headless Chromium: the loopback gets
// the handoff, a redirect with a wrong state is ignored, the session starts.
func TestPSCBrowserFlow(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	pc := newClient(t, r.Portal)
	bctx := chrome.New(t, chromedp.IgnoreCertErrors)
	open := func(u string) error {
		// A page that is not the agent's sign-in hits the loopback first: refused, ignored.
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		resp, err := http.Get(pu.Query().Get("redirect_uri") + "?code=forged&state=wrong-state-0123456789")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("loopback with a wrong state: HTTP %d", resp.StatusCode)
		}
		return signInPage(bctx, physician)(u)
	}
	in, err := pc.BrowserSignIn(context.Background(), "poste-12", open)
	if err != nil {
		t.Fatalf("browser sign-in: %v", err)
	}
	s := in.Session
	if s.Method != api.MethodPSC || s.ACR != "eidas1" || s.AuthMode != "MOBILE" || s.User.NationalID != physician || in.Token == "" {
		t.Fatalf("session %+v", s)
	}
	msg, err := chromedp.Run(bctx, chromedp.Text("#msg"))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, "http://127.0.0.1:") || strings.Contains(loc, in.Token) || !strings.Contains(msg, "Connexion réussie") {
		t.Fatalf("browser ended on %s: %q", loc, msg)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); !strings.Contains(a.Detail, "flow=browser") || a.Result != store.ResultOK {
		t.Fatalf("audit %+v", a)
	}
}

// loopback is a bare agent loopback that hands the test what the portal sent.
func loopback(t *testing.T) (string, <-chan map[string]string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan map[string]string, 4)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" { // the browser also asks for /favicon.ico
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		got <- map[string]string{"code": q.Get("code"), "state": q.Get("state"), "error": q.Get("error")}
		io.WriteString(w, "ok")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/callback", got
}

// A replayed handoff code, a wrong verifier and a wrong state are each refused with their
// code and an audit line.
func TestPSCBrowserHandoffRefusals(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	pc := newClient(t, r.Portal)
	bctx := chrome.New(t, chromedp.IgnoreCertErrors)
	redirect, got := loopback(t)
	verifier := "agent-verifier-" + strings.Repeat("v", 40)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	handoff := func() string {
		if err := signInPage(bctx, physician)(pc.PSCBrowserURL(redirect, "agent-state-0123456789", challenge, "poste-12")); err != nil {
			t.Fatal(err)
		}
		q := <-got
		if q["state"] != "agent-state-0123456789" || q["code"] == "" || q["error"] != "" {
			t.Fatalf("loopback got %v", q)
		}
		return q["code"]
	}
	ctx := context.Background()
	code := handoff()
	if _, err := pc.RedeemPSC(ctx, code, verifier+"x"); api.CodeOf(err) != api.CodePSCHandoffFailed {
		t.Fatalf("wrong verifier: %v", err)
	}
	if _, err := pc.RedeemPSC(ctx, code, verifier); api.CodeOf(err) != api.CodePSCHandoffFailed {
		t.Fatalf("right verifier after a wrong one (code burnt): %v", err)
	}
	code = handoff()
	if in, err := pc.RedeemPSC(ctx, code, verifier); err != nil || in.Session.Method != api.MethodPSC {
		t.Fatalf("redeem: %+v %v", in.Session, err)
	}
	if _, err := pc.RedeemPSC(ctx, code, verifier); api.CodeOf(err) != api.CodePSCHandoffFailed {
		t.Fatalf("replayed handoff: %v", err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCHandoffFailed {
		t.Fatalf("audit %+v", a)
	}
	refusedState(t, r.Portal)
}

// refusedState: a callback whose state the portal never issued (or already used) is refused
// with an HTML page naming psc_state_invalid, and audited.
func refusedState(t *testing.T, pt *portaltest.Portal) {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pt.Roots}}}
	resp, err := hc.Get(pt.URL + "/v1/signin/psc/browser/callback?code=abc&state=never-issued")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), api.CodePSCStateInvalid) {
		t.Fatalf("unknown state: HTTP %d %s", resp.StatusCode, body)
	}
	if a := lastAudit(t, pt, store.AuditSignIn); a.Code != api.CodePSCStateInvalid {
		t.Fatalf("audit %+v", a)
	}
}
