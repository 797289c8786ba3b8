package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestPSCKeyboard: the national id is focused and pre-filled; Enter asks for the push with the
// typed id, the browser button the browser flow; Esc cancels, on the push screen too.
func TestPSCKeyboard(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepPSC, PSC: &agent.PSCView{NationalID: "899700427885"}})
	e, ok := u.win.Canvas().Focused().(*keyEntry)
	if !ok || e.Text != "899700427885" {
		t.Fatalf("focus %T, want the pre-filled national id", u.win.Canvas().Focused())
	}
	u.apply(agent.Snapshot{Step: agent.StepPSC, PSC: &agent.PSCView{NationalID: "810002813839"}})
	if e.Text != "810002813839" {
		t.Fatalf("the card's national id did not replace the remembered one: %q", e.Text)
	}
	e.SetText("")
	test.Type(e, "500000001815646/CPAT00045")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.StartPSCPush); !ok || in.NationalID != "500000001815646/CPAT00045" {
		t.Fatalf("Enter sent %#v", f.last())
	}
	test.Tap(button(t, u, "Se connecter avec le navigateur"))
	if _, ok := f.last().(agent.StartPSCBrowser); !ok {
		t.Fatalf("browser sent %#v", f.last())
	}
	press(u, fyne.KeyEscape)
	if _, ok := f.last().(agent.Cancel); !ok {
		t.Fatalf("Esc sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepPSCPush, Busy: true, BusyLabel: agent.BusyPSCWaiting,
		PSC: &agent.PSCView{BindingCode: "07", ExpiresAt: clockNow().Add(90e9)}})
	requireText(t, u, "Temps restant : 1 min 30 s")
	n := f.count()
	press(u, fyne.KeyEscape)
	if _, ok := f.last().(agent.Cancel); !ok || f.count() != n+1 {
		t.Fatalf("Esc on the push sent %#v", f.last())
	}
}

// TestCardFallback: a blocked card and a card that is not a CPx card offer Pro Santé Connect
// and the OTP path.
func TestCardFallback(t *testing.T) {
	for _, step := range []agent.Step{agent.StepCardBlocked, agent.StepCardUnknown} {
		u, f := newTestUI(t, agent.Snapshot{Step: step, TriesLeft: 0})
		test.Tap(button(t, u, "Pro Santé Connect (e-CPS)"))
		if _, ok := f.last().(agent.ChoosePSC); !ok {
			t.Fatalf("%v: PSC sent %#v", step, f.last())
		}
		test.Tap(button(t, u, "Identifiant et mot de passe (OTP)"))
		if _, ok := f.last().(agent.ChooseOTP); !ok {
			t.Fatalf("%v: OTP sent %#v", step, f.last())
		}
	}
}

// TestDemoPSCPush: the demo plays Pro Santé Connect: the national id pre-filled, the binding
// code, then the phone's approval on to the desk phone.
func TestDemoPSCPush(t *testing.T) {
	d := NewDemoEngine("")
	d.delay = time.Millisecond
	next(t, d)
	d.Do(agent.ChoosePSC{})
	if s := next(t, d); s.Step != agent.StepPSC || s.PSC == nil || s.PSC.NationalID == "" {
		t.Fatalf("psc: %+v", s)
	}
	d.Do(agent.StartPSCPush{NationalID: "899700427885"})
	if s := next(t, d); s.Step != agent.StepPSCPush || s.PSC.BindingCode == "" {
		t.Fatalf("push: %+v", s)
	}
	if s := next(t, d); s.Step != agent.StepLinkPhone {
		t.Fatalf("after approval: %v", s.Step)
	}
}
