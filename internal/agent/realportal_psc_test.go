package agent_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// pscStation is an engine without a card whose PSC and portal ports are the real client of a
// portal that signs in through cpx-pscsim (real OpenID provider, simulated e-CPS phone).
func pscStation(t *testing.T, r *portaltest.PSCRig) (*station, *agent.MemoryPrefs) {
	c, err := client.New(r.URL, client.Options{RootCAs: r.Roots})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	prefs := agent.NewMemoryPrefs()
	st := &station{t: t, card: &softCard{ch: make(chan agent.CardEvent)}, p: &portal{Client: c}, keys: keystore.NewMemory()}
	st.e = agent.New(agent.Config{Workstation: "poste-psc"}, agent.Deps{Cards: st.card, Token: st.card,
		Portal: st.p, PSC: c, Keys: st.keys, Prefs: prefs})
	st.snap = st.e.Notify()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = st.e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return st, prefs
}

// pushed waits for the push screen (busy: the engine waits for the phone).
func (st *station) pushed() agent.Snapshot {
	st.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s := <-st.snap:
			if s.Step == agent.StepPSCPush && s.PSC != nil && s.PSC.BindingCode != "" {
				return s
			}
		case <-deadline:
			st.t.Fatal("timed out waiting for the binding code")
		}
	}
}

// TestRealPortalPSCPush: national id → the portal pushes through cpx-pscsim → the binding code
// on screen is the phone's → the phone approves → profile, phone, banner with the PSC method.
func TestRealPortalPSCPush(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	st, prefs := pscStation(t, r)
	id := pki.DemoHolders()["cps"].NationalID
	st.e.Do(agent.ChoosePSC{})
	st.at(agent.StepPSC)
	st.e.Do(agent.StartPSCPush{NationalID: id})
	s := st.pushed()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	push, err := r.Sim.WaitPending(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if push.BindingCode != s.PSC.BindingCode {
		t.Fatalf("binding code on screen %q, on the phone %q", s.PSC.BindingCode, push.BindingCode)
	}
	if err := r.Sim.Approve(push.AuthReqID); err != nil {
		t.Fatal(err)
	}
	// The demo physician's account owes its first actions (password, …): the same screens as
	// after a card sign-in, on a session of the PSC method.
	s = st.until("after approval", func(s agent.Snapshot) bool { return s.Step != agent.StepPSCPush })
	if s.Session == nil || s.Session.Method != api.MethodPSC || s.Err != nil {
		t.Fatalf("after approval: step %v session %+v err %v", s.Step, s.Session, s.Err)
	}
	switch s.Step {
	case agent.StepSetPassword, agent.StepChooseProfile, agent.StepLinkPhone, agent.StepSecretQuestion, agent.StepOTPChannels:
	default:
		t.Fatalf("after approval: step %v, want a sign-in step", s.Step)
	}
	if prefs.Get(agent.PrefLastPSCID) != id {
		t.Fatalf("national id not remembered: %q", prefs.Get(agent.PrefLastPSCID))
	}
}

// TestRealPortalPSCCancel: Esc during the push cancels it on the portal: the phone can no
// longer approve it.
func TestRealPortalPSCCancel(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	st, _ := pscStation(t, r)
	st.e.Do(agent.ChoosePSC{})
	st.at(agent.StepPSC)
	st.e.Do(agent.StartPSCPush{NationalID: portaltest.StaffID})
	st.pushed()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	push, err := r.Sim.WaitPending(ctx, portaltest.StaffID)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the portal polls PSC meanwhile
	st.e.Do(agent.Cancel{})
	if s := st.at(agent.StepPSC); s.PSC.NationalID != portaltest.StaffID {
		t.Fatalf("national id lost: %+v", s.PSC)
	}
	time.Sleep(500 * time.Millisecond) // the cancel goes out in the background
	p1, _ := r.Sim.Push(push.AuthReqID)
	time.Sleep(2500 * time.Millisecond)
	p2, _ := r.Sim.Push(push.AuthReqID)
	if len(p1.Polls) == 0 || len(p2.Polls) != len(p1.Polls) {
		t.Fatalf("%d polls after Esc, %d 2.5 s later: the portal still polls PSC (not cancelled)", len(p1.Polls), len(p2.Polls))
	}
}
