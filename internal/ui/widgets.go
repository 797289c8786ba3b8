package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is a single-line entry that hands Esc to the window (cancel) instead of eating it,
// and optionally keeps only digits up to a maximum length (PIN, OTP code, phone number).
type keyEntry struct {
	widget.Entry
	onEscape func()
	digits   bool
	max      int // 0: no limit
}

func newKeyEntry(onEscape func()) *keyEntry {
	e := &keyEntry{onEscape: onEscape}
	e.ExtendBaseWidget(e)
	return e
}

// newDigitEntry accepts only digits, at most max of them.
func newDigitEntry(max int, onEscape func()) *keyEntry {
	e := newKeyEntry(onEscape)
	e.digits, e.max = true, max
	return e
}

// newSecretEntry masks what is typed.
func newSecretEntry(onEscape func()) *keyEntry {
	e := newKeyEntry(onEscape)
	e.Password = true
	return e
}

// TypedKey sends Esc to the window's cancel action.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// TypedRune drops what a digit field may not hold.
func (e *keyEntry) TypedRune(r rune) {
	if e.digits && !unicode.IsDigit(r) {
		return
	}
	if e.max > 0 && len([]rune(e.Text)) >= e.max && e.SelectedText() == "" {
		return // full; a selection is replaced by what is typed
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut filters pasted text the same way as typed text.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	p, ok := s.(*fyne.ShortcutPaste)
	if !ok || (!e.digits && e.max == 0) {
		e.Entry.TypedShortcut(s)
		return
	}
	if p.Clipboard == nil {
		return
	}
	for _, r := range p.Clipboard.Content() {
		e.TypedRune(r)
	}
}

// title is a screen's heading.
func title(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// para is a wrapped paragraph.
func para(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// primary is the screen's main button (Enter does the same).
func primary(text string, tapped func()) *widget.Button {
	b := widget.NewButton(text, tapped)
	b.Importance = widget.HighImportance
	return b
}

// buttons lays out a row of buttons on the right, cancel first, primary last.
func buttons(bs ...fyne.CanvasObject) *fyne.Container {
	return container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, bs...)...)
}

// field is a labelled input.
func field(label string, input fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabel(label), input)
}

// onlyDigits keeps the digits of s.
func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// keyCheck is a check box on which Enter validates the screen and Esc cancels, like the
// fields around it (Space still toggles it).
type keyCheck struct {
	widget.Check
	onEnter, onEscape func()
}

func newKeyCheck(label string, onEnter, onEscape func()) *keyCheck {
	c := &keyCheck{onEnter: onEnter, onEscape: onEscape}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey adds Enter and Esc to the check box's keys.
func (c *keyCheck) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.onEnter != nil {
			c.onEnter()
		}
	case fyne.KeyEscape:
		if c.onEscape != nil {
			c.onEscape()
		}
	default:
		c.Check.TypedKey(k)
	}
}

// keyText is a focusable message: dialogs put the focus on it so that Enter confirms and Esc
// dismisses them (Fyne's dialogs have no keys of their own).
type keyText struct {
	widget.Label
	onEnter, onEscape func()
}

func newKeyText(text string) *keyText {
	t := &keyText{}
	t.Text, t.Wrapping = text, fyne.TextWrapWord
	t.ExtendBaseWidget(t)
	return t
}

func (t *keyText) FocusGained()   {}
func (t *keyText) FocusLost()     {}
func (t *keyText) TypedRune(rune) {}

// TypedKey confirms on Enter and dismisses on Esc.
func (t *keyText) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		t.onEnter()
	case fyne.KeyEscape:
		t.onEscape()
	}
}

// keyButton is a button that Enter taps as well as Space, once Tab has given it the focus
// (the banner has no field: its actions are reached with Tab).
type keyButton struct {
	widget.Button
}

func newKeyButton(text string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey taps the button on Enter too.
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		b.Tapped(nil)
		return
	}
	b.Button.TypedKey(k)
}
