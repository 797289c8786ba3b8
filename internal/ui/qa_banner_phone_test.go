package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestBannerMenuFitsWindow (QA S1-3): the ≡ menu is drawn inside the banner window, so the
// window must grow to hold every item while it is open, and shrink back to the strip after.
func TestBannerMenuFitsWindow(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepSignedIn, Session: demoSession("4021"), TimeLeft: time.Hour}
	u, f := newTestUI(t, s)
	c := u.win.Canvas()
	strip := c.Size().Height
	var menuButton *keyButton
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if b, ok := o.(*keyButton); ok && b.Text == "" {
			menuButton = b
		}
	}
	if menuButton == nil {
		t.Fatal("no menu button on the banner")
	}
	test.Tap(menuButton)
	pop, ok := c.Focused().(*widget.PopUpMenu)
	if !ok {
		t.Fatalf("the menu did not open (focus on %T)", c.Focused())
	}
	bottom := pop.Position().Y + pop.MinSize().Height
	if bottom > c.Size().Height {
		t.Fatalf("menu ends at y=%v but the window is %v high: items clipped", bottom, c.Size().Height)
	}
	if pop.Size().Height < pop.MinSize().Height {
		t.Fatalf("menu squeezed to %v, needs %v", pop.Size().Height, pop.MinSize().Height)
	}
	requireText(t, u, "Modifier mes canaux OTP")
	requireText(t, u, "Se déconnecter")
	// The engine keeps publishing (time left, a notice) while the menu is open: it stays whole.
	s.TimeLeft, s.Notice, s.Holder = 59*time.Minute, agent.NoticePhoneTakenOver, "Marie Martin"
	u.apply(s)
	if c.Size().Height < bottom {
		t.Fatalf("a refresh shrank the window to %v under the open menu (ends at %v)", c.Size().Height, bottom)
	}
	s.Notice, s.Holder = "", ""
	u.apply(s)
	// The 3rd item, as seed 004's guide says, with the keyboard: ↓ ↓ ↓ Enter.
	for range 3 {
		pop.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	}
	pop.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, ok := f.last().(agent.OpenChannels); !ok {
		t.Fatalf("3rd menu item sent %#v, want OpenChannels", f.last())
	}
	if h := c.Size().Height; h != strip {
		t.Fatalf("after the menu closed the window is %v high, want the %v strip", h, strip)
	}
}

// noticeLabel is the visible label showing text.
func noticeLabel(t *testing.T, u *UI, text string) *widget.Label {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text == text {
			return l
		}
	}
	t.Fatalf("no visible label %q; texts: %q", text, texts(u))
	return nil
}

// TestBannerNoticeShownWhole (QA S2-7): the takeover notice is never cut: the banner grows to
// a second line that holds the whole sentence, in French and English, then shrinks back.
func TestBannerNoticeShownWhole(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := agent.Snapshot{Step: agent.StepSignedIn, Session: demoSession("4021"), TimeLeft: 7*time.Hour + 42*time.Minute}
			u, _ := newTestUI(t, s)
			if err := SetLanguage(lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = SetLanguage("fr") })
			u.rebuild()
			strip := u.win.Canvas().Size().Height
			s.Session = demoSession("")
			s.Notice, s.Holder = agent.NoticePhoneTakenOver, "Marie Martin"
			u.apply(s)
			text := noticeText(s)
			l := noticeLabel(t, u, text)
			if l.Truncation != fyne.TextTruncateOff {
				t.Fatalf("notice label truncates (%v)", l.Truncation)
			}
			one := fyne.MeasureText(text, theme.TextSize(), l.TextStyle)
			lines := float32(1)
			if l.Size().Width < one.Width {
				lines = 2
			}
			if l.Size().Height+1 < lines*one.Height {
				t.Fatalf("notice %q: label %v cannot hold %v line(s) of %v", text, l.Size(), lines, one)
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
			if c := u.win.Canvas().Size(); pos.Y+l.Size().Height > c.Height || c.Height <= strip {
				t.Fatalf("notice at y=%v+%v outside the %v window (strip %v)", pos.Y, l.Size().Height, c, strip)
			}
			s.Notice, s.Holder = "", ""
			u.apply(s)
			if h := u.win.Canvas().Size().Height; h != strip {
				t.Fatalf("notice gone, banner %v high, want %v", h, strip)
			}
		})
	}
}

// TestDemoTakeoverClearsPhone (QA S2-7): the demo banner after a takeover shows what the real
// engine shows (internal/agent onEvent clears Session.Phone): no phone.
func TestDemoTakeoverClearsPhone(t *testing.T) {
	for _, sc := range DemoScreens() {
		if sc.Name != "banner_takeover" {
			continue
		}
		if sc.Snap.Notice != agent.NoticePhoneTakenOver || sc.Snap.Session == nil || sc.Snap.Session.Phone != "" {
			t.Fatalf("banner_takeover demo: notice %q, session %+v: want the takeover notice and no phone", sc.Snap.Notice, sc.Snap.Session)
		}
		u, _ := newTestUI(t, sc.Snap)
		requireText(t, u, "aucun téléphone")
		if hasText(u, "4021") {
			t.Fatal("banner after a takeover still shows the taken phone 4021")
		}
		return
	}
	t.Fatal("no banner_takeover demo screen")
}

// TestPhonePrefilledIsSelected (QA S2-6): the remembered number is selected, so typing it
// again replaces it instead of appending (10051005), and Enter alone accepts it.
func TestPhonePrefilledIsSelected(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "1005"})
	e := focused(t, u)
	if e.SelectedText() != "1005" {
		t.Fatalf("prefilled %q, selected %q: want the whole number selected", e.Text, e.SelectedText())
	}
	test.Type(e, "1005")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.LinkPhone); !ok || in.Number != "1005" {
		t.Fatalf("typing 1005 over the prefilled 1005 sent %#v, want LinkPhone{1005}", f.last())
	}
	u2, f2 := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "4021"})
	press(u2, fyne.KeyReturn)
	if in, ok := f2.last().(agent.LinkPhone); !ok || in.Number != "4021" {
		t.Fatalf("Enter on the prefilled 4021 sent %#v", f2.last())
	}
	// A remembered number as long as the field allows is replaced too.
	u4, f4 := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "123456789012"})
	test.Type(focused(t, u4), "4021")
	press(u4, fyne.KeyReturn)
	if in, ok := f4.last().(agent.LinkPhone); !ok || in.Number != "4021" {
		t.Fatalf("typing 4021 over a full-length remembered number sent %#v", f4.last())
	}
	// From the banner ("Changer de téléphone") the current phone is prefilled and selected too.
	u3, _ := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, Session: demoSession("4021")})
	if got := focused(t, u3).SelectedText(); got != "4021" {
		t.Fatalf("current phone selected %q, want 4021", got)
	}
}
