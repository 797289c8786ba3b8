package main

import (
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// trimDelay is how long after the app's loop starts the start-up garbage is returned: the
// first frame is drawn well before (bench-ui: window mapped ~0.5 s after exec).
const trimDelay = 2 * time.Second

// trimAfterStart calls free (debug.FreeOSMemory in production: one forced garbage collection,
// the freed heap returned to the OS) once, delay after the app's loop starts. Building the window, parsing
// the translations and the fonts leaves a few MB of garbage that the GC, at rest on the home
// screen, would otherwise keep resident: bench-ui measured VmRSS 127.2 → 124.4 MB with it, the
// Go heap back to the bare Fyne window's. It runs once; nothing is scheduled after it.
func trimAfterStart(a fyne.App, delay time.Duration, free func()) {
	a.Lifecycle().SetOnStarted(func() { time.AfterFunc(delay, free) })
}

// freeOSMemory is the production trim.
var freeOSMemory = debug.FreeOSMemory

// idleTrimDelay is how long the engine must stay on an idle screen before the trim: long
// enough that a card inserted right after a sign-out (the PIN screen path, goal ≤ 50 ms over
// the card event) finds no collection under way, as the card's snapshot cancels the trim.
const idleTrimDelay = 5 * time.Second

// trimWhenIdle is the production trimIdle: debug.FreeOSMemory idleTrimDelay after the engine
// settles on an idle screen.
func trimWhenIdle(snaps <-chan agent.Snapshot) { trimIdle(snaps, idleTrimDelay, freeOSMemory) }

// idleStep says whether a workstation sits on step for long: home, the banner, the lock screen.
func idleStep(s agent.Step) bool {
	return s == agent.StepWaitingCard || s == agent.StepSignedIn || s == agent.StepLocked
}

// trimIdle calls free once each time the engine comes to rest on an idle step (not busy), delay
// after it got there, unless another step or a busy snapshot comes first. A session leaves
// garbage behind (screens, text, TLS): bench measured VmRSS 138.3 MB back on the home screen
// after three PIN/profile round trips, 131.2 MB with the trim. The first snapshot (the start
// screen) is trimAfterStart's. It returns when snaps closes; no timer is left running.
func trimIdle(snaps <-chan agent.Snapshot, delay time.Duration, free func()) {
	var timer *time.Timer
	stop := func() {
		if timer != nil {
			timer.Stop()
		}
	}
	defer stop()
	first, at := true, agent.Step(-1) // at: the idle step the trim is armed for or done on
	for s := range snaps {
		idle := idleStep(s.Step) && !s.Busy
		switch {
		case first:
			first = false
			if idle {
				at = s.Step
			}
		case !idle:
			stop()
			at = -1
		case s.Step != at:
			stop()
			at = s.Step
			timer = time.AfterFunc(delay, free)
		}
	}
}
