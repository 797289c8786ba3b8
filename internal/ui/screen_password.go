package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// pwdFields are the new + confirm fields with their live checklist.
type pwdFields struct {
	pw, confirm *keyEntry
	list        *checklist
}

func (u *UI) newPwdFields(s agent.Snapshot, submit func()) *pwdFields {
	f := &pwdFields{pw: newSecretEntry(u.cancel), confirm: newSecretEntry(u.cancel), list: newChecklist(s.Policy)}
	changed := func(string) { f.list.update(f.pw.Text, f.confirm.Text) }
	f.pw.OnChanged, f.confirm.OnChanged = changed, changed
	f.pw.OnSubmitted = func(string) { u.win.Canvas().Focus(f.confirm) }
	f.confirm.OnSubmitted = func(string) { submit() }
	return f
}

func (f *pwdFields) clear() {
	f.pw.SetText("")
	f.confirm.SetText("")
}

// setPasswordPage is StepSetPassword: the first password, with the policy as a checklist.
func (u *UI) setPasswordPage(s agent.Snapshot) *page {
	var f *pwdFields
	submit := func() {
		if u.snap.Busy || !f.list.ok() {
			return
		}
		in := agent.SetPassword{New: []byte(f.pw.Text), Confirm: []byte(f.confirm.Text)}
		f.clear()
		u.send(in)
	}
	f = u.newPwdFields(s, submit)
	ok := primary(T("action.validate"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewVBox(
		title(T("setpwd.title")), para(T("setpwd.intro")),
		field(T("pwd.new"), f.pw), field(T("pwd.confirm"), f.confirm),
		f.list.obj, buttons(cancel, ok))
	return &page{obj: container.NewVScroll(body), focus: f.pw, submit: submit, checklist: f.list}
}

// changePasswordPage is StepChangePassword: old, new, confirm, and "sign out elsewhere".
func (u *UI) changePasswordPage(s agent.Snapshot) *page {
	old := newSecretEntry(u.cancel)
	var f *pwdFields
	var submit func()
	others := newKeyCheck(T("chpwd.signout_others"), func() { submit() }, u.cancel)
	submit = func() {
		if u.snap.Busy || old.Text == "" || !f.list.ok() {
			return
		}
		in := agent.ChangePassword{Old: []byte(old.Text), New: []byte(f.pw.Text),
			Confirm: []byte(f.confirm.Text), SignOutOthers: others.Checked}
		old.SetText("")
		f.clear()
		u.send(in)
	}
	f = u.newPwdFields(s, submit)
	old.OnSubmitted = func(string) { u.win.Canvas().Focus(f.pw) }
	ok := primary(T("chpwd.submit"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewVBox(
		title(T("chpwd.title")),
		field(T("pwd.old"), old), field(T("pwd.new"), f.pw), field(T("pwd.confirm"), f.confirm),
		f.list.obj, others, buttons(cancel, ok))
	return &page{obj: container.NewVScroll(body), focus: old, submit: submit, checklist: f.list}
}
