package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// identifiantPage is StepOTPIdentifiant: "prénom.nom".
func (u *UI) identifiantPage(s agent.Snapshot) *page {
	id := newKeyEntry(u.cancel)
	id.SetPlaceHolder(T("otp.identifiant_placeholder"))
	id.SetText(s.Identifiant)
	submit := func() {
		if v := strings.TrimSpace(id.Text); v != "" && !u.snap.Busy {
			u.send(agent.SubmitIdentifiant{Identifiant: v})
		}
	}
	id.OnSubmitted = func(string) { submit() }
	body := container.NewVBox(title(T("otp.title")), para(T("otp.identifiant_intro")),
		field(T("otp.identifiant"), id), u.forgotLinks(true), u.okCancel(submit))
	return &page{obj: body, focus: id, submit: submit}
}

// otpPasswordPage is StepOTPPassword: the password set at the first sign-in.
func (u *UI) otpPasswordPage(s agent.Snapshot) *page {
	pw := newSecretEntry(u.cancel)
	submit := func() {
		if pw.Text != "" && !u.snap.Busy {
			in := agent.SubmitPassword{Password: []byte(pw.Text)}
			pw.SetText("")
			u.send(in)
		}
	}
	pw.OnSubmitted = func(string) { submit() }
	refresh := func(s agent.Snapshot) {
		if s.Err != nil {
			pw.SetText("")
		}
	}
	body := container.NewVBox(title(T("otp.title")),
		para(T("otp.password_intro", map[string]any{"Identifiant": s.Identifiant})),
		field(T("otp.password"), pw), u.forgotLinks(false), u.okCancel(submit))
	return &page{obj: body, focus: pw, submit: submit, refresh: refresh}
}

// otpChannelPage is StepOTPChannel: where to send the code, e-mail by default.
func (u *UI) otpChannelPage(s agent.Snapshot) *page {
	labels, kinds := []string{}, []string{}
	for _, c := range s.OTPChannels {
		labels = append(labels, T("otp.via_"+c.Kind, map[string]any{"Value": c.Masked}))
		kinds = append(kinds, c.Kind)
	}
	choice := widget.NewRadioGroup(labels, nil)
	choice.Required = true
	if len(labels) > 0 {
		choice.SetSelected(labels[indexOf(kinds, api.ChannelEmail)])
	}
	submit := func() {
		for i, l := range labels {
			if l == choice.Selected && !u.snap.Busy {
				u.otpKind = kinds[i]
				u.send(agent.SendCode{Kind: kinds[i]})
			}
		}
	}
	body := container.NewVBox(title(T("otp.title")), para(T("otp.channel_intro")), choice, u.okCancel(submit))
	return &page{obj: body, submit: submit}
}

// otpCodePage is StepOTPCode: the 6-digit code, "remember this workstation for 24 h", resend.
func (u *UI) otpCodePage(s agent.Snapshot) *page {
	code := newDigitEntry(otpCodeLength, u.cancel)
	code.SetPlaceHolder("••••••")
	var submit func()
	remember := newKeyCheck(T("otp.remember"), func() { submit() }, u.cancel)
	sent := para("")
	submit = func() {
		if len(code.Text) == otpCodeLength && !u.snap.Busy {
			c := code.Text
			code.SetText("")
			u.send(agent.SubmitCode{Code: c, Remember: remember.Checked})
		}
	}
	code.OnSubmitted = func(string) { submit() }
	resend := widget.NewButton(T("otp.resend"), func() {
		kind := u.otpKind
		if kind == "" && len(u.snap.OTPChannels) > 0 {
			kind = u.snap.OTPChannels[0].Kind
		}
		u.send(agent.SendCode{Kind: kind})
	})
	resend.Importance = widget.LowImportance
	refresh := func(s agent.Snapshot) {
		showText(sent, "")
		if s.OTPSentTo != "" {
			showText(sent, T("otp.sent_to", map[string]any{"To": s.OTPSentTo}))
		}
	}
	refresh(s)
	body := container.NewVBox(title(T("otp.title")), sent, para(T("otp.code_intro")),
		field(T("otp.code"), code), remember, container.NewHBox(resend), u.okCancel(submit))
	return &page{obj: body, focus: code, submit: submit, refresh: refresh}
}

// okCancel is the usual "Annuler / Valider" row.
func (u *UI) okCancel(submit func()) *fyne.Container {
	return buttons(widget.NewButton(T("action.cancel"), u.cancel), primary(T("action.validate"), submit))
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}
