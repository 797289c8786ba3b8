package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// pinLength is the CPx card PIN's length.
const pinLength = 4

// pinPage is StepPIN: a masked 4-digit field, the tries left, Enter validates. It shows
// as soon as a CPx card is in; a PIN validated before the card is read waits in the engine.
func (u *UI) pinPage(s agent.Snapshot) *page {
	pin := newDigitEntry(pinLength, u.cancel)
	pin.Password = true
	pin.SetPlaceHolder("••••")
	tries, holder := widget.NewLabel(""), para("")
	submit := func() {
		if u.snap.Busy || len(pin.Text) != pinLength {
			return
		}
		digits := []byte(pin.Text)
		pin.SetText("")
		u.send(agent.SubmitPIN{PIN: digits})
	}
	pin.OnSubmitted = func(string) { submit() }
	ok := primary(T("action.validate"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)

	// The card is read while the PIN is typed: its holder and tries fill in when known.
	refresh := func(s agent.Snapshot) {
		holder.SetText(cardHolder(s))
		setTries(tries, s.TriesLeft, s.Err != nil)
		if s.Err != nil {
			pin.SetText("")
		}
	}
	refresh(s)
	body := container.NewVBox(
		title(T("pin.title")), holder, para(T("pin.intro")),
		field(T("pin.label"), pin), tries, u.changePINLink(),
		buttons(cancel, ok),
	)
	return &page{obj: body, focus: pin, submit: submit, refresh: refresh}
}

// setTries shows the tries left: always before the last one, after a wrong PIN otherwise,
// nothing while unknown.
func setTries(l *widget.Label, n int, wrong bool) {
	switch {
	case n == 1:
		l.Importance = widget.DangerImportance
		showText(l, T("pin.last_try"))
	case n >= 2 && wrong:
		l.Importance = widget.WarningImportance
		showText(l, T("pin.tries", map[string]any{"N": n}))
	default:
		showText(l, "")
	}
}

// lockedPage is StepLocked: the card was pulled; the same card and its PIN unlock the session.
func (u *UI) lockedPage(s agent.Snapshot) *page {
	unlock := primary(T("locked.unlock"), func() { u.send(agent.ChooseCard{}) })
	out := widget.NewButton(T("banner.signout"), func() { u.send(agent.SignOut{}) })
	body := container.NewVBox(title(T("locked.title")),
		para(T("locked.intro", map[string]any{"Name": holderName(s)})), buttons(out, unlock))
	return &page{obj: body, submit: func() { u.send(agent.ChooseCard{}) }}
}
