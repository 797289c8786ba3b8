package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// fakeEngine records intents and feeds snapshots.
type fakeEngine struct {
	mu      sync.Mutex
	intents []agent.Intent
	ch      chan agent.Snapshot
}

func newFakeEngine() *fakeEngine { return &fakeEngine{ch: make(chan agent.Snapshot, 16)} }

func (f *fakeEngine) Do(i agent.Intent) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.intents = append(f.intents, i)
	return true
}

func (f *fakeEngine) Notify() <-chan agent.Snapshot { return f.ch }

// last returns the last intent (nil when none).
func (f *fakeEngine) last() agent.Intent {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.intents) == 0 {
		return nil
	}
	return f.intents[len(f.intents)-1]
}

func (f *fakeEngine) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.intents)
}

// newTestUI builds the UI on a test app (French) and shows s.
func newTestUI(t *testing.T, s agent.Snapshot) (*UI, *fakeEngine) {
	t.Helper()
	test.NewTempApp(t)
	noLater(t)
	f := newFakeEngine()
	u := New(fyne.CurrentApp(), f, Options{Lang: "fr", Version: "test", Workstation: demoStation})
	t.Cleanup(func() { u.win.Close() })
	u.apply(s)
	return u, f
}

// texts lists the visible texts of the window (labels, buttons, canvas texts, overlays).
func texts(u *UI) []string {
	objs := test.LaidOutObjects(u.win.Content())
	for _, o := range u.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	var out []string
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *keyText:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *keyButton:
			out = append(out, v.Text)
		case *canvas.Text:
			out = append(out, v.Text)
		}
	}
	return out
}

// hasText says whether a visible text contains want.
func hasText(u *UI, want string) bool {
	for _, s := range texts(u) {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func requireText(t *testing.T, u *UI, want string) {
	t.Helper()
	if !hasText(u, want) {
		t.Fatalf("no visible text contains %q; texts: %q", want, texts(u))
	}
}

// button finds a visible button by its text, in the window or its overlays.
func button(t *testing.T, u *UI, text string) *widget.Button {
	t.Helper()
	objs := test.LaidOutObjects(u.win.Content())
	for _, o := range u.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
		if b, ok := o.(*keyButton); ok && b.Text == text && b.Visible() {
			return &b.Button
		}
	}
	t.Fatalf("no button %q; texts: %q", text, texts(u))
	return nil
}

// focused is the entry that has the keyboard focus.
func focused(t *testing.T, u *UI) *keyEntry {
	t.Helper()
	e, ok := u.win.Canvas().Focused().(*keyEntry)
	if !ok {
		t.Fatalf("focus is on %T, want an entry", u.win.Canvas().Focused())
	}
	return e
}

// press sends a key to the focused field, or to the window when nothing has the focus.
func press(u *UI, k fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: k}
	if f := u.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	u.win.Canvas().OnTypedKey()(ev)
}

func findSelect(t *testing.T, u *UI) *widget.Select {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if s, ok := o.(*widget.Select); ok {
			return s
		}
	}
	t.Fatal("no select on the screen")
	return nil
}

// The push countdown counts from a fixed time in the package's tests (goldens).
func init() { clockNow = func() time.Time { return time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) } }

// noLater drops the delayed checks (window size, sign-in screen) for a test: Fyne's test
// driver would run them on the timer's goroutine, racing with the test. Tests of the delayed
// screen install their own (deferred).
func noLater(t *testing.T) {
	prev := later
	later = func(time.Duration, func()) {}
	t.Cleanup(func() { later = prev })
}
