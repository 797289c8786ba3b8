package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestSigningInFailure (QA S1-4): after a portal error the engine stays on StepSigningIn with
// Err set and no Busy. The screen stops saying « en cours », shows the French error, and
// offers « Réessayer » (agent.ChooseCard: the card is read and the PIN asked again) and
// « Annuler »; Enter retries, Esc cancels.
func TestSigningInFailure(t *testing.T) {
	busy := agent.Snapshot{Step: agent.StepSigningIn, Card: demoCard, TriesLeft: -1, Busy: true, BusyLabel: agent.BusySigningIn}
	u, f := newTestUI(t, busy)
	requireText(t, u, "Connexion au portail SI-SAMU en cours")
	if retryShown(u) {
		t.Fatal("« Réessayer » offered while the sign-in is under way")
	}
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatalf("Enter while signing in sent %#v", f.last())
	}

	failed := busy
	failed.Busy, failed.BusyLabel, failed.Err = false, "", api.ErrPortalUnreachable
	u.apply(failed) // same step: the page refreshes
	if hasText(u, "en cours") {
		t.Fatalf("failure still says « en cours »: %q", texts(u))
	}
	requireText(t, u, "Connexion impossible")
	requireText(t, u, "Le portail SI-SAMU ne répond pas")
	requireText(t, u, "Votre carte est toujours dans le lecteur")
	test.Tap(button(t, u, "Réessayer"))
	if _, ok := f.last().(agent.ChooseCard); !ok || f.count() != 1 {
		t.Fatalf("Réessayer sent %#v, want ChooseCard", f.last())
	}
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.ChooseCard); !ok || f.count() != 2 {
		t.Fatalf("Enter on the failure sent %#v, want ChooseCard", f.last())
	}
	test.Tap(button(t, u, "Annuler"))
	if _, ok := f.last().(agent.Cancel); !ok {
		t.Fatalf("Annuler sent %#v, want Cancel", f.last())
	}
	press(u, fyne.KeyEscape)
	if _, ok := f.last().(agent.Cancel); !ok || f.count() != 4 {
		t.Fatalf("Esc sent %#v, want Cancel", f.last())
	}

	// A new attempt (busy again on the same step) hides the retry.
	u.apply(busy)
	requireText(t, u, "Connexion au portail SI-SAMU en cours")
	if retryShown(u) || hasText(u, "Connexion impossible") {
		t.Fatalf("busy again but still showing the failure: %q", texts(u))
	}
}

// retryShown says whether the « Réessayer » button is visible.
func retryShown(u *UI) bool {
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Réessayer" {
			return b.Visible()
		}
	}
	return false
}

// TestHomeAfterCancelKeepsCard (QA S1-4, « Échap must not lie about the card »): Esc on the
// signing-in failure takes the engine home with the card still in the reader; home then says
// the card is in and « CPX » signs in, instead of asking to insert it. When the card leaves,
// home asks for it again.
func TestHomeAfterCancelKeepsCard(t *testing.T) {
	failed := agent.Snapshot{Step: agent.StepSigningIn, Card: demoCard, TriesLeft: -1, Err: api.ErrPortalUnreachable}
	u, f := newTestUI(t, failed)
	press(u, fyne.KeyEscape)
	if _, ok := f.last().(agent.Cancel); !ok {
		t.Fatalf("Esc sent %#v, want Cancel", f.last())
	}
	home := agent.Snapshot{Step: agent.StepWaitingCard, Card: demoCard, TriesLeft: -1} // what the engine answers
	u.apply(home)
	requireText(t, u, "Votre carte est dans le lecteur")
	if hasText(u, "Introduisez votre carte") {
		t.Fatalf("home asks to insert the card that is in the reader: %q", texts(u))
	}
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.ChooseCard); !ok {
		t.Fatalf("Enter on home sent %#v, want ChooseCard", f.last())
	}
	home.Card = nil // card pulled: same step, new snapshot
	u.apply(home)
	requireText(t, u, "Introduisez votre carte professionnelle dans le lecteur")
	if hasText(u, "Votre carte est dans le lecteur") {
		t.Fatal("home still says the card is in after it left")
	}
}
