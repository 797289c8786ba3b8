package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestBannerKeyboard: the banner's actions are reached with Tab (the window's focus order)
// and Enter or Space: "Changer de téléphone", "Verrouiller", "Déconnexion", then the menu,
// whose items ↓ and Enter choose.
func TestBannerKeyboard(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepSignedIn, Session: demoSession("4021"), TimeLeft: time.Hour}
	u, f := newTestUI(t, s)
	c := u.win.Canvas()
	for _, step := range []struct {
		key  fyne.KeyName
		want agent.Intent
	}{
		{fyne.KeyReturn, agent.OpenChangePhone{}},
		{fyne.KeySpace, agent.Lock{}},
		{fyne.KeyEnter, agent.SignOut{}},
	} {
		c.FocusNext()
		b, ok := c.Focused().(*keyButton)
		if !ok {
			t.Fatalf("Tab focused %T, want a banner button", c.Focused())
		}
		n := f.count()
		b.TypedKey(&fyne.KeyEvent{Name: step.key})
		if f.count() != n+1 || f.last() != step.want {
			t.Fatalf("%s on %q sent %#v, want %#v", step.key, b.Text, f.last(), step.want)
		}
	}
	c.FocusNext()
	menu, ok := c.Focused().(*keyButton)
	if !ok || menu.Text != "" {
		t.Fatalf("4th Tab focused %T, want the menu button", c.Focused())
	}
	menu.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	pop := c.Focused()
	if pop == nil || pop == fyne.Focusable(menu) {
		t.Fatalf("the menu did not take the focus (%T)", pop)
	}
	pop.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	pop.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	pop.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, ok := f.last().(agent.OpenChangePwd); !ok {
		t.Fatalf("menu ↓↓ Enter sent %#v, want OpenChangePwd (2nd item)", f.last())
	}
}
