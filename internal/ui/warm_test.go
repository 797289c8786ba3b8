package ui

import (
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestWarmUpLeavesHomeAlone: the warm-up builds every sign-in screen off screen: the home
// screen stays, its content and focus untouched, and no intent reaches the engine.
func TestWarmUpLeavesHomeAlone(t *testing.T) {
	defer func(d time.Duration) { warmDelay = d }(warmDelay)
	warmDelay = 0
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepWaitingCard, TriesLeft: -1})
	page, content := u.page, u.win.Content()
	u.warmUp()
	if u.page != page || u.win.Content() != content || u.snap.Step != agent.StepWaitingCard || f.count() != 0 {
		t.Fatalf("warm-up changed the screen or talked to the engine: step %v, %d intents", u.snap.Step, f.count())
	}
	requireText(t, u, T("home.methods"))
}

// TestWarmUpStopsOnceACardIsIn: with another screen shown, the warm-up builds nothing.
func TestWarmUpStopsOnceACardIsIn(t *testing.T) {
	defer func(d time.Duration) { warmDelay = d }(warmDelay)
	warmDelay = 0
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, TriesLeft: 3, Card: demoCard})
	pin := focused(t, u)
	u.warmUp()
	if focused(t, u) != pin || u.snap.Step != agent.StepPIN {
		t.Fatalf("warm-up disturbed the PIN screen")
	}
}
