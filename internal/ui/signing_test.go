package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// deferred replaces later for a test: the armed functions, run by the test itself.
func deferred(t *testing.T) *[]func() {
	var armed []func()
	prev := later
	later = func(d time.Duration, f func()) {
		if d == signingInDelay {
			armed = append(armed, f)
		}
	}
	t.Cleanup(func() { later = prev })
	return &armed
}

// TestQuickSignInKeepsPINScreen: a sign-in that ends quickly goes from the PIN screen straight
// to the profile screen, the status strip saying it is under way; no sign-in screen flashes.
func TestQuickSignInKeepsPINScreen(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, Card: demoCard, TriesLeft: 3})
	armed := deferred(t)
	content := u.win.Content()
	busy := agent.Snapshot{Step: agent.StepSigningIn, Card: demoCard, TriesLeft: 3, Busy: true, BusyLabel: agent.BusySigningIn}
	u.apply(busy)
	u.apply(busy) // a second busy snapshot arms nothing more
	if u.win.Content() != content || u.shown != agent.StepPIN || len(*armed) != 1 {
		t.Fatalf("the sign-in screen replaced the PIN screen at once (shown %v, %d timers)", u.shown, len(*armed))
	}
	requireText(t, u, T("busy."+agent.BusySigningIn)) // the status strip
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatalf("Enter during the sign-in sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepChooseProfile, Profiles: demoProfiles, LastProfileID: "p-arm"})
	(*armed)[0]() // the delay ends after the sign-in: nothing changes
	if u.shown != agent.StepChooseProfile {
		t.Fatalf("shown %v after the sign-in, want the profile screen", u.shown)
	}
}

// TestSlowSignInGetsItsScreen: past signingInDelay the sign-in screen shows; a failure shows at
// once with « Réessayer ».
func TestSlowSignInGetsItsScreen(t *testing.T) {
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, Card: demoCard, TriesLeft: 3})
	armed := deferred(t)
	busy := agent.Snapshot{Step: agent.StepSigningIn, Card: demoCard, TriesLeft: 3, Busy: true, BusyLabel: agent.BusySigningIn}
	u.apply(busy)
	(*armed)[0]()
	if u.shown != agent.StepSigningIn {
		t.Fatalf("shown %v once the delay ended, want the sign-in screen", u.shown)
	}
	requireText(t, u, "Veuillez patienter")

	u2, _ := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, Card: demoCard, TriesLeft: 3})
	deferred(t)
	u2.apply(busy)
	failed := busy
	failed.Busy, failed.BusyLabel, failed.Err = false, "", api.ErrPortalUnreachable
	u2.apply(failed)
	if u2.shown != agent.StepSigningIn {
		t.Fatalf("a failed sign-in left screen %v", u2.shown)
	}
	requireText(t, u2, "Connexion impossible")
}
