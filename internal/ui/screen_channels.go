package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// otpCodeLength is the one-time code's length.
const otpCodeLength = 6

// channelBox is one OTP channel of seed 004: value → "Tester" → code → "Valider".
type channelBox struct {
	kind    string
	obj     *fyne.Container
	current *widget.Label
	remove  *widget.Button
	value   *keyEntry
	code    *keyEntry
	codeRow *fyne.Container
}

func (u *UI) newChannelBox(kind string) *channelBox {
	b := &channelBox{kind: kind, current: widget.NewLabel(""), value: newKeyEntry(u.cancel),
		code: newDigitEntry(otpCodeLength, u.cancel)}
	test := func() {
		if b.value.Text != "" && !u.snap.Busy {
			u.send(agent.TestChannel{Kind: kind, Value: b.value.Text})
		}
	}
	validate := func() {
		if len(b.code.Text) == otpCodeLength && !u.snap.Busy {
			code := b.code.Text
			b.code.SetText("")
			u.send(agent.ValidateChannel{Kind: kind, Code: code})
		}
	}
	b.value.OnSubmitted = func(string) { test() }
	b.code.OnSubmitted = func(string) { validate() }
	b.value.SetPlaceHolder(T("channels." + kind + ".placeholder"))
	b.code.SetPlaceHolder(T("channels.code_placeholder"))
	b.remove = widget.NewButton(T("channels.remove"), func() { u.send(agent.RemoveChannel{Kind: kind}) })
	b.remove.Importance = widget.LowImportance
	b.codeRow = container.NewBorder(nil, nil, widget.NewLabel(T("channels.code")),
		primary(T("action.validate"), validate), b.code)
	b.obj = container.NewVBox(
		title(T("channels."+kind+".title")),
		container.NewHBox(b.current, b.remove),
		container.NewBorder(nil, nil, nil, widget.NewButton(T("channels.test"), test), b.value),
		b.codeRow)
	return b
}

// update shows the masked current value and the code row while a test is pending.
func (b *channelBox) update(s agent.Snapshot) {
	b.current.SetText(T("channels.none"))
	b.remove.Hide()
	for _, c := range s.Channels {
		if c.Kind == b.kind && c.Active {
			b.current.SetText(T("channels.current", map[string]any{"Value": c.Masked}))
			b.remove.Show()
		}
	}
	if s.PendingAction == b.kind {
		b.codeRow.Show()
	} else {
		b.codeRow.Hide()
		b.code.SetText("")
	}
}

// channelsPage is StepOTPChannels: "Modifier mes canaux OTP".
func (u *UI) channelsPage(s agent.Snapshot) *page {
	sms, mail := u.newChannelBox(api.ChannelSMS), u.newChannelBox(api.ChannelEmail)
	done := primary(T("channels.done"), func() { u.send(agent.ChannelsDone{}) })
	body := container.NewVBox(title(T("channels.title")), para(T("channels.intro")),
		sms.obj, widget.NewSeparator(), mail.obj, buttons(done))
	p := &page{obj: container.NewVScroll(body), focus: sms.value}
	p.refresh = func(s agent.Snapshot) {
		pending := s.PendingAction != "" && s.PendingAction != u.pending
		u.pending = s.PendingAction
		for _, b := range []*channelBox{sms, mail} {
			b.update(s)
			if pending && s.PendingAction == b.kind {
				u.win.Canvas().Focus(b.code)
			}
		}
	}
	u.pending = ""
	p.refresh(s)
	if s.PendingAction == api.ChannelEmail {
		p.focus = mail.code
	} else if s.PendingAction == api.ChannelSMS {
		p.focus = sms.code
	}
	return p
}
