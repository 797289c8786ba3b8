package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestRecoveryKeyboard: the three recovery screens from the keyboard only — the name, Enter
// to the sum, Enter sends; the masked answer, Enter sends and clears it; the final screen's
// Enter goes back; Esc cancels.
func TestRecoveryKeyboard(t *testing.T) {
	v := &agent.RecoveryView{Kind: api.RecoverIdentifiant, Captcha: "Veuillez résoudre l'opération suivante : 9 + 0 ="}
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepRecoverName, TriesLeft: -1, Recovery: v})
	requireText(t, u, "J'ai oublié mon identifiant")
	requireText(t, u, v.Captcha)
	test.Type(focused(t, u), "camille@samu75.example")
	press(u, fyne.KeyReturn)
	test.Type(focused(t, u), "9")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitRecoveryName); !ok || in.Name != "camille@samu75.example" || in.CaptchaAnswer != "9" {
		t.Fatalf("sent %#v", f.last())
	}
	// A new question (the first answer was refused) empties the sum, keeps the name.
	v2 := *v
	v2.Captcha, v2.Name = "Veuillez résoudre l'opération suivante : 3 + 4 =", "camille@samu75.example"
	u.apply(agent.Snapshot{Step: agent.StepRecoverName, TriesLeft: -1, Recovery: &v2, Err: &api.Error{Code: api.CodeCaptchaInvalid}})
	requireText(t, u, v2.Captcha)
	if got := focused(t, u).Text; got != "" {
		t.Fatalf("the old sum %q stayed", got)
	}

	q := v2
	q.Question = api.SecretQuestions[1]
	u.apply(agent.Snapshot{Step: agent.StepRecoverQuestion, TriesLeft: -1, Recovery: &q})
	requireText(t, u, q.Question)
	answer := focused(t, u)
	if !answer.Password {
		t.Fatal("the secret answer is shown in clear")
	}
	test.Type(answer, "Jules Ferry")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitRecoveryAnswer); !ok || string(in.Answer) != "Jules Ferry" || answer.Text != "" {
		t.Fatalf("sent %#v, field %q", f.last(), answer.Text)
	}

	u.apply(agent.Snapshot{Step: agent.StepRecoverDone, TriesLeft: -1, Recovery: &q})
	requireText(t, u, "Si votre courriel et votre réponse à la question secrète sont corrects, vous allez recevoir un mail avec votre identifiant. Sinon, merci de renouveler le processus d'oubli d'identifiant.")
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.Cancel); !ok {
		t.Fatalf("Enter on the final screen sent %#v", f.last())
	}
}

// The forgotten-password final screen names the link's validity from the portal's policy,
// and no number at all when the portal did not tell it.
func TestRecoveryLinkValidity(t *testing.T) {
	v := &agent.RecoveryView{Kind: api.RecoverPassword, LinkMinutes: 20}
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepRecoverDone, TriesLeft: -1, Recovery: v})
	requireText(t, u, "Ce lien a une durée de validité de 20 minutes. Au-delà, en l'ouvrant, vous vous verrez proposer un renvoi de lien d'une durée de validité de 20 minutes également.")
	v.LinkMinutes = 0
	u, _ = newTestUI(t, agent.Snapshot{Step: agent.StepRecoverDone, TriesLeft: -1, Recovery: v})
	for _, s := range texts(u) {
		if len(s) > 0 && strings.Contains(s, "minutes") {
			t.Fatalf("a duration without the portal's policy: %q", s)
		}
	}
}

// The OTP path's screens reach the recovery with the keyboard: Tab to the link, Enter.
func TestForgotLinksKeyboard(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepOTPIdentifiant, TriesLeft: -1})
	c := u.win.Canvas()
	c.FocusNext() // from the identifiant field to « Identifiant oublié ? »
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Identifiant oublié ?" {
		t.Fatalf("Tab reached %T", c.Focused())
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, ok := f.last().(agent.ForgotIdentifiant); !ok {
		t.Fatalf("sent %#v", f.last())
	}
	c.FocusNext()
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, ok := f.last().(agent.ForgotPassword); !ok {
		t.Fatalf("sent %#v", f.last())
	}
}
