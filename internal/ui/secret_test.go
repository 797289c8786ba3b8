package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func secretSnap() agent.Snapshot {
	return agent.Snapshot{Step: agent.StepSecretQuestion, TriesLeft: -1, SecretQuestions: api.SecretQuestions}
}

// TestSecretQuestionKeyboard: the whole screen from the keyboard — ↓ picks a question, Enter
// goes to the answer, then the confirmation, then sends; the fields are masked and cleared.
func TestSecretQuestionKeyboard(t *testing.T) {
	u, f := newTestUI(t, secretSnap())
	q, ok := u.win.Canvas().Focused().(*keySelect)
	if !ok {
		t.Fatalf("focus on %T, want the question list", u.win.Canvas().Focused())
	}
	press(u, fyne.KeyReturn)
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatalf("sent without a question: %#v", f.last())
	}
	u.win.Canvas().Focus(q)
	press(u, fyne.KeyDown)
	press(u, fyne.KeyDown)
	press(u, fyne.KeyUp)
	press(u, fyne.KeyUp) // wraps to the last question
	if q.Selected != api.SecretQuestions[len(api.SecretQuestions)-1] {
		t.Fatalf("↑/↓ selected %q", q.Selected)
	}
	press(u, fyne.KeyDown) // back to the first
	press(u, fyne.KeyReturn)
	answer := focused(t, u)
	if !answer.Password {
		t.Fatal("the answer is not masked")
	}
	test.Type(answer, "Jules Ferry")
	press(u, fyne.KeyReturn)
	confirm := focused(t, u)
	if confirm == answer || !confirm.Password {
		t.Fatal("Enter did not move to a masked confirmation field")
	}
	test.Type(confirm, "Jules Ferry")
	press(u, fyne.KeyReturn)
	in, ok := f.last().(agent.SetSecretQuestion)
	if !ok || in.Question != api.SecretQuestions[0] || string(in.Answer) != "Jules Ferry" || string(in.Confirm) != "Jules Ferry" {
		t.Fatalf("sent %#v", f.last())
	}
	if answer.Text != "" || confirm.Text != "" {
		t.Fatal("answer fields not cleared after sending")
	}
	u.win.Canvas().Focus(q)
	press(u, fyne.KeyEscape)
	if _, ok := f.last().(agent.Cancel); !ok {
		t.Fatalf("Esc on the list sent %#v, want Cancel", f.last())
	}
}

// TestSecretQuestionError: the engine's refusals are French sentences on the screen.
func TestSecretQuestionError(t *testing.T) {
	u, _ := newTestUI(t, secretSnap())
	requireText(t, u, "Choisissez votre question secrète")
	s := secretSnap()
	s.Err = agent.ErrSecretAnswerMismatch
	u.apply(s)
	requireText(t, u, "Les deux réponses ne sont pas identiques")
	s.Err = agent.ErrSecretAnswerFormat
	u.apply(s)
	requireText(t, u, "de 3 à 256 caractères")
}
