package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestCardUnblockKeyboard: the blocked card's Enter opens « Débloquer ma carte »; PUK, new
// PIN and its confirmation are masked digits, Enter moves on then sends, and every field is
// emptied once sent.
func TestCardUnblockKeyboard(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepCardBlocked, TriesLeft: 0})
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.OpenCardUnblock); !ok {
		t.Fatalf("Enter on the blocked card sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepCardUnblock, TriesLeft: 0})
	puk := focused(t, u)
	test.Type(puk, "1234abcd5678")
	if puk.Text != "12345678" || !puk.Password {
		t.Fatalf("PUK field %q (masked %v)", puk.Text, puk.Password)
	}
	press(u, fyne.KeyReturn)
	pin := focused(t, u)
	test.Type(pin, "4321")
	press(u, fyne.KeyReturn)
	test.Type(focused(t, u), "4321")
	press(u, fyne.KeyReturn)
	in, ok := f.last().(agent.SubmitCardUnblock)
	if !ok || string(in.PUK) != "12345678" || string(in.New) != "4321" || string(in.Confirm) != "4321" {
		t.Fatalf("sent %#v", f.last())
	}
	if puk.Text != "" || pin.Text != "" {
		t.Fatal("the fields kept the secrets")
	}
}

// TestCardPINChangeKeyboard: the PIN screen's « Modifier mon code PIN » is reached with Tab.
func TestCardPINChangeKeyboard(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, TriesLeft: 3})
	c := u.win.Canvas()
	c.FocusNext()
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Modifier mon code PIN" {
		t.Fatalf("Tab reached %T", c.Focused())
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, ok := f.last().(agent.OpenCardPINChange); !ok {
		t.Fatalf("sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepCardPINChange, TriesLeft: 3})
	for _, pin := range []string{"1234", "5678", "5678"} {
		test.Type(focused(t, u), pin)
		press(u, fyne.KeyReturn)
	}
	if in, ok := f.last().(agent.SubmitCardPINChange); !ok || string(in.Old) != "1234" || string(in.New) != "5678" {
		t.Fatalf("sent %#v", f.last())
	}
}
