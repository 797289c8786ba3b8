package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// slow_down adds 5 s to the interval: measured between the polls the simulator received.
func TestPSCSlowDownHonoured(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{Sim: pscsim.Config{Knobs: pscsim.Knobs{SlowDown: 1}}})
	pc := newClient(t, r.Portal)
	st, push := startCIBA(t, r, pc, physician)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for { // approve once the second poll (after the slow_down) has come
		sp, _ := r.Sim.Push(push.AuthReqID)
		if len(sp.Polls) >= 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("polls %v", sp.Polls)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := r.Sim.Approve(push.AuthReqID); err != nil {
		t.Fatal(err)
	}
	if _, err := waitOutcome(t, pc, st.RequestID); err != nil {
		t.Fatal(err)
	}
	sp, _ := r.Sim.Push(push.AuthReqID)
	if len(sp.Polls) != 3 || sp.SlowDowns != 1 || sp.TooFast != 0 {
		t.Fatalf("polls %v, %d slow_down, %d too fast", sp.Polls, sp.SlowDowns, sp.TooFast)
	}
	first := sp.Polls[0].Sub(sp.Created)
	grown := sp.Polls[1].Sub(sp.Polls[0])
	after := sp.Polls[2].Sub(sp.Polls[1])
	t.Logf("first poll after %v, after slow_down %v, then %v (interval 1 s)", first, grown, after)
	if grown < 6*time.Second || grown > 7500*time.Millisecond || after < 6*time.Second {
		t.Fatalf("interval after slow_down: %v then %v, want 6 s (1 s + 5 s) each", grown, after)
	}
}

// A cancel stops the polling at once: the simulator sees no poll after it.
func TestPSCCancelStopsPolling(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	pc := newClient(t, r.Portal)
	st, push := startCIBA(t, r, pc, physician)
	time.Sleep(1500 * time.Millisecond)
	if err := pc.CancelPSC(context.Background(), st.RequestID); err != nil {
		t.Fatal(err)
	}
	n := len(mustPush(t, r, push.AuthReqID).Polls)
	time.Sleep(2500 * time.Millisecond)
	if got := len(mustPush(t, r, push.AuthReqID).Polls); got != n || n == 0 {
		t.Fatalf("%d polls at the cancel, %d 2.5 s later", n, got)
	}
	if _, err := pc.WaitPSC(context.Background(), st.RequestID); api.CodeOf(err) != api.CodeNotFound {
		t.Fatalf("wait after cancel: %v", err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCCancelled {
		t.Fatalf("audit %+v", a)
	}
}

// The simulator's dev client requires tls_client_auth: without the client certificate PSC
// refuses the portal, which answers psc_unavailable (and audits it).
func TestPSCRequiresClientCertificate(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{NoClientCert: true})
	pc := newClient(t, r.Portal)
	if _, err := pc.StartPSC(context.Background(), physician, "poste-12"); api.CodeOf(err) != api.CodePSCUnavailable {
		t.Fatalf("without the client certificate: %v", err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCUnavailable || a.Subject != physician {
		t.Fatalf("audit %+v", a)
	}
	if n := r.Sim.Stats().Pushes; n != 0 {
		t.Fatalf("%d pushes reached the phone without client authentication", n)
	}
}

func mustPush(t *testing.T, r *portaltest.PSCRig, id string) pscsim.Push {
	t.Helper()
	p, ok := r.Sim.Push(id)
	if !ok {
		t.Fatalf("no push %s", id)
	}
	return p
}

// A new signing key at PSC (the simulator restarted on the same address: same issuer, new
// keys): the portal's cached JWKS lacks the key id, go-oidc fetches the JWKS again and the
// sign-in goes through.
func TestPSCKeyRotation(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{Sim: pscsim.Config{Knobs: pscsim.Knobs{Approve: pscsim.ApproveAuto}}})
	pc := newClient(t, r.Portal)
	for i := range 2 {
		st, err := pc.StartPSC(context.Background(), physician, "poste-12")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := waitOutcome(t, pc, st.RequestID); err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
		if i == 0 {
			r.RestartSim(t)
		}
	}
}

// PSC down: the start answers psc_unavailable at once, audited; card sign-ins are not affected.
func TestPSCUnreachable(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	r.Sim.Close()
	pc := newClient(t, r.Portal)
	start := time.Now()
	if _, err := pc.StartPSC(context.Background(), physician, "poste-12"); api.CodeOf(err) != api.CodePSCUnavailable {
		t.Fatalf("PSC down: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("refusal took %v", d)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCUnavailable || !strings.Contains(a.Detail, "discovery") {
		t.Fatalf("audit %+v", a)
	}
}
