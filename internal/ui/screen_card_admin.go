package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// Card self-service screens: change the PIN (current, new twice), unblock with the PUK (8
// digits, from the card's letter) and a new PIN twice. Fields are masked, digits only, and
// emptied once sent; Enter moves to the next field then sends, Esc goes back.

// pukLength is the unblock code's length.
const pukLength = 8

// secretDigits is a masked digits-only field of n digits.
func (u *UI) secretDigits(n int) *keyEntry {
	e := newDigitEntry(n, u.cancel)
	e.Password = true
	return e
}

// chain makes Enter on each field move to the next, and on the last one call submit.
func (u *UI) chain(submit func(), fields ...*keyEntry) {
	for i, f := range fields {
		if i == len(fields)-1 {
			f.OnSubmitted = func(string) { submit() }
			continue
		}
		next := fields[i+1]
		f.OnSubmitted = func(string) { u.win.Canvas().Focus(next) }
	}
}

// cardPINChangePage is StepCardPINChange.
func (u *UI) cardPINChangePage(s agent.Snapshot) *page {
	old, pin, again := u.secretDigits(pinLength), u.secretDigits(pinLength), u.secretDigits(pinLength)
	tries := widget.NewLabel("")
	submit := func() {
		if u.snap.Busy || len(old.Text) != pinLength || len(pin.Text) != pinLength || len(again.Text) != pinLength {
			return
		}
		in := agent.SubmitCardPINChange{Old: []byte(old.Text), New: []byte(pin.Text), Confirm: []byte(again.Text)}
		for _, f := range []*keyEntry{old, pin, again} {
			f.SetText("")
		}
		u.win.Canvas().Focus(old)
		u.send(in)
	}
	u.chain(submit, old, pin, again)
	refresh := func(s agent.Snapshot) {
		n := -1
		if pe, ok := asPINError(s.Err); ok {
			n = pe.TriesLeft
		}
		setTries(tries, n, n >= 0)
	}
	refresh(s)
	body := container.NewVBox(title(T("cardpin.title")), para(cardHolder(s)), para(T("cardpin.intro")),
		field(T("cardpin.old"), old), tries, field(T("cardpin.new"), pin), field(T("cardpin.confirm"), again),
		u.okCancel(submit))
	return &page{obj: container.NewVScroll(body), focus: old, submit: submit, refresh: refresh}
}

// cardUnblockPage is StepCardUnblock.
func (u *UI) cardUnblockPage(s agent.Snapshot) *page {
	puk, pin, again := u.secretDigits(pukLength), u.secretDigits(pinLength), u.secretDigits(pinLength)
	submit := func() {
		if u.snap.Busy || len(puk.Text) != pukLength || len(pin.Text) != pinLength || len(again.Text) != pinLength {
			return
		}
		in := agent.SubmitCardUnblock{PUK: []byte(puk.Text), New: []byte(pin.Text), Confirm: []byte(again.Text)}
		for _, f := range []*keyEntry{puk, pin, again} {
			f.SetText("")
		}
		u.win.Canvas().Focus(puk)
		u.send(in)
	}
	u.chain(submit, puk, pin, again)
	body := container.NewVBox(title(T("unblock.title")), para(cardHolder(s)), para(T("unblock.intro")),
		field(T("unblock.puk"), puk), field(T("cardpin.new"), pin), field(T("cardpin.confirm"), again),
		u.okCancel(submit))
	return &page{obj: container.NewVScroll(body), focus: puk, submit: submit}
}

// changePINLink is « Modifier mon code PIN » under the PIN field (Tab reaches it).
func (u *UI) changePINLink() fyne.CanvasObject {
	b := newKeyButton(T("cardpin.link"), nil, func() { u.send(agent.OpenCardPINChange{}) })
	b.Importance = widget.LowImportance
	return container.NewHBox(b)
}
