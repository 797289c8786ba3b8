package main

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestTrimAfterStart: the trim runs once, after the app's loop has started, never before.
func TestTrimAfterStart(t *testing.T) {
	a := test.NewTempApp(t)
	calls := make(chan struct{}, 2)
	trimAfterStart(a, 20*time.Millisecond, func() { calls <- struct{}{} })
	select {
	case <-calls:
		t.Fatal("trim ran before the app started")
	case <-time.After(100 * time.Millisecond):
	}
	started, ok := a.Lifecycle().(interface{ OnStarted() func() })
	if !ok || started.OnStarted() == nil {
		t.Fatal("trimAfterStart set no OnStarted hook")
	}
	started.OnStarted()()
	select {
	case <-calls:
	case <-time.After(2 * time.Second):
		t.Fatal("trim did not run after the app started")
	}
	select {
	case <-calls:
		t.Fatal("trim ran twice")
	case <-time.After(100 * time.Millisecond):
	}
}

// TestTrimIdle: one trim per arrival on an idle step, none at the start screen, none when the
// user moves on before the delay, none while busy.
func TestTrimIdle(t *testing.T) {
	const delay = 30 * time.Millisecond
	snaps, trims := make(chan agent.Snapshot), make(chan struct{}, 8)
	done := make(chan struct{})
	go func() { defer close(done); trimIdle(snaps, delay, func() { trims <- struct{}{} }) }()
	count := func(want int, why string) {
		t.Helper()
		time.Sleep(4 * delay)
		if got := len(trims); got != want {
			t.Fatalf("%s: %d trims, want %d", why, got, want)
		}
		for len(trims) > 0 {
			<-trims
		}
	}
	send := func(step agent.Step, busy bool) { snaps <- agent.Snapshot{Step: step, Busy: busy} }
	send(agent.StepWaitingCard, false)
	count(0, "start screen (trimAfterStart's)")
	send(agent.StepPIN, false)
	send(agent.StepWaitingCard, false)
	count(1, "back home after the PIN screen")
	send(agent.StepWaitingCard, false)
	count(0, "home refreshed")
	send(agent.StepCardPresent, false)
	send(agent.StepWaitingCard, false)
	send(agent.StepCardPresent, true) // a card within the delay: no collection on its path
	count(0, "card inserted before the delay")
	send(agent.StepSignedIn, true)
	count(0, "banner while busy")
	send(agent.StepSignedIn, false)
	count(1, "banner at rest")
	send(agent.StepLocked, false)
	count(1, "banner -> locked")
	send(agent.StepPIN, false)
	send(agent.StepLocked, false)
	close(snaps) // the engine stopped before the delay: the pending trim is dropped
	<-done
	count(0, "engine stopped")
}
