package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The recovery screens (seed 000 « J'ai oublié mon identifiant / mon mot de passe »): name and
// arithmetic question, secret question, then the one final sentence.

// recoverKind is "identifiant" or "password" for the message keys of s's recovery.
func recoverKind(s agent.Snapshot) string {
	if s.Recovery != nil && s.Recovery.Kind == api.RecoverIdentifiant {
		return "identifiant"
	}
	return "password"
}

func recoverView(s agent.Snapshot) agent.RecoveryView {
	if s.Recovery == nil {
		return agent.RecoveryView{}
	}
	return *s.Recovery
}

// forgotLinks are « Identifiant oublié ? » and « Mot de passe oublié ? » under the OTP path's
// fields (Tab reaches them, Enter or Space opens).
func (u *UI) forgotLinks(identifiant bool) fyne.CanvasObject {
	pw := newKeyButton(T("recover.forgot_password"), nil, func() { u.send(agent.ForgotPassword{}) })
	pw.Importance = widget.LowImportance
	if !identifiant {
		return container.NewHBox(pw)
	}
	id := newKeyButton(T("recover.forgot_identifiant"), nil, func() { u.send(agent.ForgotIdentifiant{}) })
	id.Importance = widget.LowImportance
	return container.NewHBox(id, pw)
}

// recoverNamePage is StepRecoverName: the e-mail address (forgotten identifiant) or the
// identifiant (forgotten password), and the arithmetic question.
func (u *UI) recoverNamePage(s agent.Snapshot) *page {
	kind := recoverKind(s)
	name := newKeyEntry(u.cancel)
	name.SetText(recoverView(s).Name)
	sum := newKeyEntry(u.cancel)
	sumLabel := widget.NewLabel("")
	submit := func() {
		if u.snap.Busy || strings.TrimSpace(name.Text) == "" || strings.TrimSpace(sum.Text) == "" {
			return
		}
		u.send(agent.SubmitRecoveryName{Name: name.Text, CaptchaAnswer: sum.Text})
	}
	name.OnSubmitted = func(string) { u.win.Canvas().Focus(sum) }
	sum.OnSubmitted = func(string) { submit() }
	shown := ""
	refresh := func(s agent.Snapshot) {
		if q := recoverView(s).Captcha; q != shown {
			shown = q
			sumLabel.SetText(q)
			sum.SetText("") // a new question: the old answer is no use
		}
	}
	refresh(s)
	ok := primary(T("recover.continue"), submit)
	body := container.NewVBox(title(T("recover."+kind+".title")), para(T("recover."+kind+".intro")),
		field(T("recover."+kind+".name"), name), container.NewVBox(sumLabel, sum),
		buttons(widget.NewButton(T("action.cancel"), u.cancel), ok))
	focus := fyne.Focusable(name)
	if name.Text != "" {
		focus = sum
	}
	return &page{obj: container.NewVScroll(body), focus: focus, submit: submit, refresh: refresh}
}

// recoverQuestionPage is StepRecoverQuestion: the secret question and the answer, masked.
func (u *UI) recoverQuestionPage(s agent.Snapshot) *page {
	kind := recoverKind(s)
	answer := newSecretEntry(u.cancel)
	submit := func() {
		if u.snap.Busy || answer.Text == "" {
			return
		}
		in := agent.SubmitRecoveryAnswer{Answer: []byte(answer.Text)}
		answer.SetText("")
		u.send(in)
	}
	answer.OnSubmitted = func(string) { submit() }
	q := widget.NewLabel(recoverView(s).Question)
	q.TextStyle, q.Wrapping = fyne.TextStyle{Bold: true}, fyne.TextWrapWord
	body := container.NewVBox(title(T("recover."+kind+".title")), para(T("recover.question_intro")),
		field(T("recover.question"), q), field(T("recover.answer"), answer), u.okCancel(submit))
	return &page{obj: container.NewVScroll(body), focus: answer, submit: submit}
}

// recoverDonePage is StepRecoverDone: the same sentence whatever the portal did, the link's
// validity from the portal's policy, and the support hint for accounts without a question.
func (u *UI) recoverDonePage(s agent.Snapshot) *page {
	kind, v := recoverKind(s), recoverView(s)
	body := container.NewVBox(title(T("recover."+kind+".title")), para(T("recover."+kind+".done")))
	if kind == "password" && v.LinkMinutes > 0 {
		body.Add(para(T("recover.link_validity", map[string]any{"N": v.LinkMinutes})))
	}
	body.Add(para(T("recover.support")))
	back := primary(T("recover.back"), u.cancel)
	body.Add(buttons(back))
	return &page{obj: container.NewVScroll(body), submit: u.cancel}
}
