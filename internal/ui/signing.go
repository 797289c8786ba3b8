package ui

import (
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// signingInDelay is how long the PIN screen stays, its status strip saying « Connexion au
// portail SI-SAMU en cours… », before the sign-in's own screen replaces it. A sign-in over
// loopback takes 25 ms: without the delay its screen would flash between the PIN and the
// profile (one more screen built and drawn on the way). A slow one gets its screen.
var signingInDelay = 400 * time.Millisecond

// deferSigningIn keeps the PIN screen while a sign-in that has just started runs (prev is the
// snapshot before s), and arms the switch to the sign-in screen. A failure (Err, no longer
// busy) shows at once.
func (u *UI) deferSigningIn(prev, s agent.Snapshot) bool {
	if s.Step != agent.StepSigningIn || !s.Busy || u.shown != agent.StepPIN {
		return false
	}
	if prev.Step != agent.StepSigningIn {
		page := u.page
		later(signingInDelay, func() {
			if u.page == page && u.snap.Step == agent.StepSigningIn {
				u.show(u.snap)
				u.status.update(u.snap)
			}
		})
	}
	return true
}
