package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// These tests run the real protocol on loopback: the portal's PSC client (go-oidc) against
// cpx-pscsim (luikyv/go-oidc) over HTTPS with tls_client_auth, the agent's side through
// internal/portal/client.

var physician = pki.DemoHolders()["cps"].NationalID

// startCIBA starts a sign-in and returns it with the push the simulated phone shows.
func startCIBA(t *testing.T, r *portaltest.PSCRig, pc *client.Client, nationalID string) (api.PSCStart, pscsim.Push) {
	t.Helper()
	st, err := pc.StartPSC(context.Background(), nationalID, "poste-12")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if len(st.BindingCode) != 2 || st.RequestID == "" || st.Interval != 1 {
		t.Fatalf("start answer %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := r.Sim.WaitPending(ctx, nationalID)
	if err != nil {
		t.Fatalf("no push on the phone: %v", err)
	}
	if p.BindingCode != st.BindingCode || p.Channel != "MOBILE" || p.Scope != "openid scope_all" || p.ACRValues != "eidas1" {
		t.Fatalf("push %+v for start %+v", p, st)
	}
	return st, p
}

// waitOutcome long-polls until done or a refusal.
func waitOutcome(t *testing.T, pc *client.Client, id string) (api.SignIn, error) {
	t.Helper()
	for range 20 {
		w, err := pc.WaitPSC(context.Background(), id)
		if err != nil {
			return api.SignIn{}, err
		}
		if w.Status == api.PSCDone {
			return *w.SignIn, nil
		}
	}
	t.Fatal("still pending after 20 long polls")
	return api.SignIn{}, nil
}

// lastAudit is the newest audit line of event.
func lastAudit(t *testing.T, pt *portaltest.Portal, event string) store.AuditEntry {
	t.Helper()
	es, err := pt.Store.AuditTail(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Event == event {
			return es[i]
		}
	}
	t.Fatalf("no %s audit line", event)
	return store.AuditEntry{}
}

func TestPSCCIBAApproved(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		r := portaltest.StartPSC(t, dialect, portaltest.PSCRigOptions{})
		pc := newClient(t, r.Portal)
		st, push := startCIBA(t, r, pc, physician)
		if err := r.Sim.Approve(push.AuthReqID); err != nil {
			t.Fatal(err)
		}
		in, err := waitOutcome(t, pc, st.RequestID)
		if err != nil {
			t.Fatalf("approved sign-in: %v", err)
		}
		s := in.Session
		if s.Method != api.MethodPSC || s.ACR != "eidas1" || s.AuthMode != "MOBILE" || s.User.NationalID != physician {
			t.Fatalf("session %+v", s)
		}
		ctx := context.Background()
		ps, err := pc.Profiles(ctx, in.Token)
		if err != nil || len(ps.Profiles) != 1 {
			t.Fatalf("profiles %+v %v", ps, err)
		}
		if _, err := pc.ChooseProfile(ctx, in.Token, ps.Profiles[0].ID); err != nil {
			t.Fatal(err)
		}
		got, err := pc.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: "1001"})
		if err != nil || got.Phone != "1001" || got.Method != api.MethodPSC || got.ACR != "eidas1" {
			t.Fatalf("after profile and phone: %+v %v", got, err)
		}
		a := lastAudit(t, r.Portal, store.AuditSignIn)
		if a.Result != store.ResultOK || a.Subject != physician || !strings.Contains(a.Detail, "acr=eidas1 auth_mode=MOBILE") ||
			!strings.Contains(a.Detail, "regulation=VRAI") {
			t.Fatalf("audit %+v", a)
		}
		if sp, _ := r.Sim.Push(push.AuthReqID); sp.PollsAfterFinal != 0 || sp.PollsAfterExpiry != 0 || sp.TooFast != 0 {
			t.Fatalf("polling at the simulator: %+v", sp)
		}
		if err := pc.SignOut(ctx, in.Token); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for r.Sim.Stats().Logouts == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if r.Sim.Stats().Logouts != 1 {
			t.Errorf("explicit sign-out: %d end_session calls at PSC, want 1", r.Sim.Stats().Logouts)
		}
	})
}

func TestPSCCIBADeniedAndExpired(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		r := portaltest.StartPSC(t, dialect, portaltest.PSCRigOptions{Sim: pscsim.Config{ExpiresIn: 3 * time.Second}})
		pc := newClient(t, r.Portal)
		before := countState(t, r.Portal)
		st, push := startCIBA(t, r, pc, physician)
		if err := r.Sim.Deny(push.AuthReqID); err != nil {
			t.Fatal(err)
		}
		if _, err := waitOutcome(t, pc, st.RequestID); api.CodeOf(err) != api.CodePSCDenied {
			t.Fatalf("denied: %v", err)
		}
		if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCDenied || a.Result != store.ResultRefused {
			t.Fatalf("audit %+v", a)
		}
		st, push = startCIBA(t, r, pc, physician)
		if _, err := waitOutcome(t, pc, st.RequestID); api.CodeOf(err) != api.CodePSCExpired {
			t.Fatalf("expired: %v", err)
		}
		time.Sleep(1500 * time.Millisecond) // a poll after the expiry would come in this time
		sp, _ := r.Sim.Push(push.AuthReqID)
		if sp.PollsAfterExpiry != 0 || sp.PollsAfterFinal != 0 || len(sp.Polls) == 0 || len(sp.Polls) > 2 {
			t.Fatalf("expired push at the simulator: %d polls, %d after expiry, %d after final", len(sp.Polls), sp.PollsAfterExpiry, sp.PollsAfterFinal)
		}
		if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodePSCExpired {
			t.Fatalf("audit %+v", a)
		}
		if after := countState(t, r.Portal); after != before {
			t.Fatalf("refusals changed the state: %+v → %+v", before, after)
		}
	})
}
