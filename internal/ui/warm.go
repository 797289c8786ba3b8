package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// warmDelay is how long after start the warm-up waits: the first window is drawn by then.
var warmDelay = 300 * time.Millisecond

// warmSteps are the screens of a card sign-in, in their order. Their first showing in a
// process pays Fyne's first-use costs (text shaped and measured, theme icons rasterised): 50
// ms for the PIN screen here, against 4 ms once warm. The warm-up builds each one off screen
// while the home screen waits for a card, and draws it on a software canvas that is thrown
// away: what is kept are Fyne's shared caches, not the widgets.
var warmSteps = []agent.Step{agent.StepPIN, agent.StepSigningIn, agent.StepChooseProfile,
	agent.StepLinkPhone, agent.StepOTPChannels, agent.StepSignedIn, agent.StepLocked}

// warmUp runs in its own goroutine; each screen is built on Fyne's goroutine between two
// frames, and only while the home screen is shown (nothing is warmed once a card is in).
func (u *UI) warmUp() {
	time.Sleep(warmDelay)
	for _, step := range warmSteps {
		done := false
		fyne.DoAndWait(func() {
			if u.snap.Step != agent.StepWaitingCard || u.dialog != nil {
				done = true
				return
			}
			u.warm(warmSnapshot(step))
		})
		if done {
			return
		}
	}
}

// warm builds the screen of s and draws it once off screen.
func (u *UI) warm(s agent.Snapshot) {
	p := u.build(s)
	c := software.NewCanvas()
	size := screenSize
	if p.bare {
		size = u.bannerWindowSize()
	}
	c.SetContent(container.NewPadded(p.obj))
	c.Resize(size)
	_ = c.Capture()
}

// warmSnapshot is a plausible snapshot of step (the demo's data: never shown).
func warmSnapshot(step agent.Step) agent.Snapshot {
	s := agent.Snapshot{Step: step, TriesLeft: 3, Card: demoCard}
	switch step {
	case agent.StepSigningIn:
		s.Busy, s.BusyLabel = true, agent.BusySigningIn
	case agent.StepChooseProfile:
		s.Profiles, s.LastProfileID = demoProfiles, demoProfiles[0].ID
	case agent.StepLinkPhone:
		s.LastPhone = "4021"
	case agent.StepOTPChannels:
		s.Channels = demoChannels
	case agent.StepSignedIn, agent.StepLocked:
		s.Session, s.TimeLeft = demoSession("4021"), 8*time.Hour
	}
	return s
}
