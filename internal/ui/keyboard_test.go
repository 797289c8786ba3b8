package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

func pinSnap(tries int, err error) agent.Snapshot {
	return agent.Snapshot{Step: agent.StepPIN, TriesLeft: tries, Err: err, Card: demoCard}
}

func TestPINEnterSendsDigits(t *testing.T) {
	u, f := newTestUI(t, pinSnap(-1, nil))
	pin := focused(t, u)
	if !pin.Password {
		t.Fatal("the PIN field is not masked")
	}
	test.Type(pin, "1a2-3 45")
	if pin.Text != "1234" {
		t.Fatalf("PIN field holds %q, want only 4 digits %q", pin.Text, "1234")
	}
	press(u, fyne.KeyReturn)
	in, ok := f.last().(agent.SubmitPIN)
	if !ok || string(in.PIN) != "1234" {
		t.Fatalf("Enter sent %#v, want SubmitPIN{1234}", f.last())
	}
	if pin.Text != "" {
		t.Fatal("the PIN field was not cleared after sending")
	}
}

func TestPINIncompleteNotSent(t *testing.T) {
	u, f := newTestUI(t, pinSnap(-1, nil))
	test.Type(focused(t, u), "12")
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatalf("a 2-digit PIN was sent: %#v", f.last())
	}
}

func TestEscCancels(t *testing.T) {
	for _, s := range []agent.Snapshot{pinSnap(-1, nil), {Step: agent.StepCardUnknown}, {Step: agent.StepOTPIdentifiant}} {
		u, f := newTestUI(t, s)
		press(u, fyne.KeyEscape)
		if _, ok := f.last().(agent.Cancel); !ok {
			t.Fatalf("%v: Esc sent %#v, want Cancel", s.Step, f.last())
		}
	}
}

func TestTriesLeft(t *testing.T) {
	u, _ := newTestUI(t, pinSnap(3, nil))
	if hasText(u, "essai") {
		t.Fatalf("tries shown before any wrong PIN: %q", texts(u))
	}
	u.apply(pinSnap(2, &agent.PINError{TriesLeft: 2}))
	requireText(t, u, "Il vous reste 2 essais")
	requireText(t, u, "Code PIN incorrect")
	u.apply(pinSnap(1, &agent.PINError{TriesLeft: 1}))
	requireText(t, u, "Attention : dernier essai avant blocage de la carte")
}

func TestFocusPerScreen(t *testing.T) {
	for _, sc := range DemoScreens() {
		u, _ := newTestUI(t, sc.Snap)
		want := u.page.focus
		if u.dialog != nil {
			if _, ok := u.win.Canvas().Focused().(*keyText); !ok {
				t.Errorf("%s: dialog open, focus on %T, want its message", sc.Name, u.win.Canvas().Focused())
			}
			continue
		}
		if got := u.win.Canvas().Focused(); got != want {
			t.Errorf("%s: focus on %T, want %T", sc.Name, got, want)
		}
	}
	// Screens where the user types first must focus a field.
	for _, step := range []agent.Step{agent.StepPIN, agent.StepLinkPhone, agent.StepSetPassword,
		agent.StepChangePassword, agent.StepOTPIdentifiant, agent.StepOTPPassword, agent.StepOTPCode, agent.StepOTPChannels} {
		u, _ := newTestUI(t, agent.Snapshot{Step: step})
		focused(t, u)
	}
}

func TestHomeEnterChoosesCard(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepWaitingCard})
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.ChooseCard); !ok {
		t.Fatalf("Enter on home sent %#v, want ChooseCard", f.last())
	}
	test.Tap(button(t, u, "OTP"))
	if _, ok := f.last().(agent.ChooseOTP); !ok {
		t.Fatalf("OTP sent %#v", f.last())
	}
	test.Tap(button(t, u, "Pro Santé Connect"))
	if _, ok := f.last().(agent.ChoosePSC); !ok {
		t.Fatalf("Pro Santé Connect sent %#v", f.last())
	}
	test.Tap(button(t, u, "Paramètres / Diagnostic"))
	if _, ok := f.last().(agent.OpenSettings); !ok {
		t.Fatalf("Paramètres sent %#v", f.last())
	}
}

func TestBusyShowsProgressAndBlocksEnter(t *testing.T) {
	s := pinSnap(-1, nil)
	u, f := newTestUI(t, s)
	test.Type(focused(t, u), "1234")
	s.Busy, s.BusyLabel = true, agent.BusyPINChecking
	u.apply(s)
	if !u.status.progress.Visible() {
		t.Fatal("no progress indicator while busy")
	}
	requireText(t, u, "Vérification du code PIN")
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatalf("Enter while busy sent %#v", f.last())
	}
	s.Busy = false
	u.apply(s)
	if u.status.progress.Visible() {
		t.Fatal("progress indicator still shown after the wait")
	}
}
