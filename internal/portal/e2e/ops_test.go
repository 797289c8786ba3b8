package e2e

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
)

// TestOperations drives the cpx-portal binary as an operator would: admin enrolment and phone
// import, a revocation from the admin command reaching the agent's event stream, health and
// metrics, the audit tail, and a graceful SIGTERM that closes the event streams and exits 0.
func TestOperations(t *testing.T) {
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	h := pki.Holder{NationalID: "3" + pki.DemoFINESS + "/400000001", Surname: "OPS", GivenName: "ALEX"}
	is, err := p.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	pp := newPortalProc(t, "", map[string]any{"shutdown_grace": "5s"})
	ctx := context.Background()
	admin := func(args ...string) string {
		t.Helper()
		b, err := pp.admin(ctx, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("admin %v: %v\n%s", args, err, b)
		}
		return string(b)
	}
	admin("entity", "add", "samu99", "SAMU 99 TEST")
	if out := admin("phone", "import", writeTemp(t, "entity,number,label,location\nsamu99,1001,Poste 1,Salle A\nsamu99,1002,,\n")); !strings.Contains(out, "2 phone(s)") {
		t.Fatalf("phone import: %s", out)
	}
	admin("user", "add", "--national-id", h.NationalID, "--identifiant", "alex.ops", "--given", "Alex", "--family", "OPS",
		"--email", "alex@example.test", "--entity", "samu99", "--profile", "ARM")
	if b, err := pp.admin(ctx, "phone", "import", writeTemp(t, "nowhere,9\n")).CombinedOutput(); err == nil {
		t.Fatalf("import into an unknown entity succeeded: %s", b)
	}
	pp.start(t)
	cl, err := client.New(pp.url, client.Options{RootCAs: pp.roots})
	if err != nil {
		t.Fatal(err)
	}
	in, err := cl.SignInCard(ctx, is.Key, is.Cert, "ws-ops")
	if err != nil {
		t.Fatal(err)
	}
	evctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	events, err := cl.Events(evctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	if out := admin("session", "list"); !strings.Contains(out, in.Session.ID) || !strings.Contains(out, "alex.ops") {
		t.Fatalf("session list:\n%s", out)
	}
	admin("session", "revoke", in.Session.ID)
	select {
	case e := <-events:
		if e.Type != api.EventRevoked {
			t.Fatalf("event %+v", e)
		}
	case <-evctx.Done():
		t.Fatal("the revocation did not reach the event stream")
	}
	if _, err := cl.Session(ctx, in.Token); api.CodeOf(err) != api.CodeSessionRevoked {
		t.Fatalf("revoked token: %v", err)
	}
	if out := admin("audit", "tail", "-n", "5"); !strings.Contains(out, "revoke") || !strings.Contains(out, "ws-ops") {
		t.Fatalf("audit tail:\n%s", out)
	}

	in2, err := cl.SignInCard(ctx, is.Key, is.Cert, "ws-ops")
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pp.roots}}}
	for url, want := range map[string]string{
		pp.url + "/healthz": "ok",
		pp.url + "/readyz":  "ready",
		pp.metricsURL:       `cpx_portal_signins_total{code="",method="card",result="ok"} 2`,
		pp.url + "/metrics": `"code":"not_found"`, // only on metrics_listen
	} {
		resp, err := hc.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Fatalf("GET %s: %d, no %q", url, resp.StatusCode, want)
		}
	}

	events2, err := cl.Events(evctx, in2.Token)
	if err != nil {
		t.Fatal(err)
	}
	pp.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- pp.cmd.Wait() }()
	select {
	case _, open := <-events2:
		if open {
			t.Fatal("an event instead of the stream closing at shutdown")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream stayed open after SIGTERM")
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("cpx-portal after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cpx-portal did not exit within 10 s of SIGTERM")
	}
}
