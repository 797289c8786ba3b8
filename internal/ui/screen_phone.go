package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// phoneMax bounds the desk phone's "numéro unique".
const phoneMax = 12

// phonePage is StepLinkPhone: the desk phone's "numéro unique", the remembered one prefilled
// and selected, so that Enter accepts it and typing replaces it (never appends to it).
func (u *UI) phonePage(s agent.Snapshot) *page {
	number := newDigitEntry(phoneMax, u.cancel)
	number.SetText(onlyDigits(s.LastPhone))
	if s.Session != nil && s.Session.Phone != "" {
		number.SetText(onlyDigits(s.Session.Phone))
	}
	number.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
	submit := func() {
		if number.Text == "" || u.snap.Busy {
			return
		}
		u.phone = number.Text
		u.send(agent.LinkPhone{Number: number.Text})
	}
	number.OnSubmitted = func(string) { submit() }
	ok := primary(T("action.validate"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewVBox(
		title(T("phone.title")), para(T("phone.intro")),
		field(T("phone.label"), number), buttons(cancel, ok))
	return &page{obj: body, focus: number, submit: submit}
}

// confirmTakeover asks whether to take the phone over from the session holding it.
func (u *UI) confirmTakeover(s agent.Snapshot) {
	holder := s.Holder
	if holder == "" {
		holder = api.DetailOf(s.Err, "holder")
	}
	if holder == "" {
		holder = T("takeover.someone")
	}
	number := u.phone
	msg := newKeyText(T("takeover.body", map[string]any{"Holder": holder}))
	d := dialog.NewCustomConfirm(T("takeover.title"), T("takeover.yes"), T("takeover.no"), msg,
		func(yes bool) {
			if yes {
				u.send(agent.LinkPhone{Number: number, Takeover: true})
			}
		}, u.win)
	msg.onEnter, msg.onEscape = d.Confirm, d.Dismiss
	d.Resize(fyne.NewSize(420, 180))
	u.dialog = d
	d.Show()
	u.win.Canvas().Focus(msg)
}
