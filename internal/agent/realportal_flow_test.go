package agent_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
)

// TestRealPortalTakeoverLockResume: workstation A signs in (mTLS), picks the portal's profile
// and links phone 1001; workstation B meets "phone taken" naming A's holder, takes the phone
// over; A hears it on its real event stream (notice, phone cleared, still signed in). A's card
// is pulled (locked) and put back: the PIN resumes the same portal session, which now owes a
// phone link again; abandoning it signs A out at the portal.
func TestRealPortalTakeoverLockResume(t *testing.T) {
	pt := portaltest.Start(t, "sqlite")
	a := newStation(t, pt, "ws-a", holder(t, pt, "CAMILLE", "MARTIN"))
	b := newStation(t, pt, "ws-b", holder(t, pt, "JULIEN", "BERNARD"))

	a.signInToPhone()
	a.e.Do(agent.LinkPhone{Number: "10 01"})
	s := a.at(agent.StepSetPassword)
	if s.Session.Phone != "1001" || s.Policy == nil {
		t.Fatalf("A after the phone: phone %q policy %+v", s.Session.Phone, s.Policy)
	}
	sessionA := s.Session.ID

	b.signInToPhone()
	b.e.Do(agent.LinkPhone{Number: "9999"})
	if s = b.until("unknown phone", func(s agent.Snapshot) bool { return s.Err != nil }); agent.MessageKey(s.Err) != "phone_unknown" {
		t.Fatalf("B unknown phone: %v", s.Err)
	}
	b.e.Do(agent.LinkPhone{Number: "1001"})
	s = b.until("phone taken", func(s agent.Snapshot) bool { return s.Err != nil && s.Step == agent.StepLinkPhone })
	if agent.MessageKey(s.Err) != "phone_taken" || s.Holder != "CAMILLE MARTIN" {
		t.Fatalf("B taken phone: %v holder %q", s.Err, s.Holder)
	}
	b.e.Do(agent.LinkPhone{Number: "1001", Takeover: true})
	if s = b.at(agent.StepSetPassword); s.Session.Phone != "1001" {
		t.Fatalf("B after takeover: %+v", s.Session)
	}

	s = a.until("takeover notice", func(s agent.Snapshot) bool { return s.Notice == agent.NoticePhoneTakenOver })
	if s.Holder != "JULIEN BERNARD" || s.Session == nil || s.Session.Phone != "" {
		t.Fatalf("A after the takeover: holder %q session %+v", s.Holder, s.Session)
	}

	t0 := time.Now()
	a.card.remove()
	a.at(agent.StepLocked)
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("locked after %v (> 1 s)", d)
	}
	a.card.insert()
	a.at(agent.StepPIN)
	a.e.Do(agent.SubmitPIN{PIN: []byte(pin)})
	s = a.at(agent.StepLinkPhone) // resumed; the portal asks for a phone again
	if s.Session.ID != sessionA || s.LastPhone != "1001" {
		t.Fatalf("A resumed: session %s (want %s), last phone %q", s.Session.ID, sessionA, s.LastPhone)
	}

	a.e.Do(agent.Cancel{})
	a.at(agent.StepWaitingCard)
	tokA := a.p.token(0)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := a.p.Client.Session(context.Background(), tokA)
		if api.CodeOf(err) == api.CodeUnauthenticated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's session still alive at the portal: %v", err)
		}
	}
	if n := len(a.p.tokens); n != 1 {
		t.Fatalf("A signed in %d times, want 1 (resume, not a new sign-in)", n)
	}
}
