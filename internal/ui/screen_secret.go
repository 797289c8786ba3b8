package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// keySelect is a drop-down driven from the keyboard like the fields around it: ↑/↓ change the
// choice in place, Enter moves on, Esc cancels (Space still opens the list).
type keySelect struct {
	widget.Select
	onEnter, onEscape func()
}

func newKeySelect(options []string, onEnter, onEscape func()) *keySelect {
	s := &keySelect{onEnter: onEnter, onEscape: onEscape}
	s.Options = options
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey adds ↑/↓, Enter and Esc to the drop-down's keys.
func (s *keySelect) TypedKey(k *fyne.KeyEvent) {
	n := len(s.Options)
	switch k.Name {
	case fyne.KeyDown:
		if n > 0 {
			s.SetSelectedIndex((s.SelectedIndex() + 1) % n)
		}
	case fyne.KeyUp:
		if i := s.SelectedIndex(); n > 0 {
			if i <= 0 {
				i = n
			}
			s.SetSelectedIndex(i - 1)
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		s.onEnter()
	case fyne.KeyEscape:
		s.onEscape()
	default:
		s.Select.TypedKey(k)
	}
}

// secretQuestionPage is StepSecretQuestion: a question from the portal's list (French, as
// the portal stores it), the answer masked (the field's eye shows it) and its confirmation.
func (u *UI) secretQuestionPage(s agent.Snapshot) *page {
	answer, confirm := newSecretEntry(u.cancel), newSecretEntry(u.cancel)
	var question *keySelect
	submit := func() {
		if u.snap.Busy || question.Selected == "" || answer.Text == "" {
			return
		}
		in := agent.SetSecretQuestion{Question: question.Selected, Answer: []byte(answer.Text), Confirm: []byte(confirm.Text)}
		answer.SetText("")
		confirm.SetText("")
		u.send(in)
	}
	question = newKeySelect(s.SecretQuestions, func() { u.win.Canvas().Focus(answer) }, u.cancel)
	question.PlaceHolder = T("secret.choose")
	answer.OnSubmitted = func(string) { u.win.Canvas().Focus(confirm) }
	confirm.OnSubmitted = func(string) { submit() }
	ok := primary(T("action.validate"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewVBox(
		title(T("secret.title")), para(T("secret.intro")),
		field(T("secret.question"), question), field(T("secret.answer"), answer),
		field(T("secret.confirm"), confirm), buttons(cancel, ok))
	return &page{obj: container.NewVScroll(body), focus: question, submit: submit}
}
