package agent

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// openSecretQuestion shows the secret question step the portal requires at the first
// sign-in of an account enrolled by IT (api.ActionSetSecretQuestion).
func (e *Engine) openSecretQuestion() {
	r := &e.run
	r.required = true
	e.to(StepSecretQuestion)
	r.s.SecretQuestions = slices.Clone(api.SecretQuestions)
	e.publish()
}

// secretAnswerOK says whether answer has 3 to 256 characters once its spacing is folded, as
// the portal counts them.
func secretAnswerOK(answer []byte) bool {
	n := utf8.RuneCountInString(strings.Join(strings.Fields(string(answer)), " "))
	return n >= 3 && n <= 256
}

// setSecretQuestion checks the choice locally (question from the list, answer long enough and
// typed twice the same), then sets it at the portal. The answer is never logged.
func (e *Engine) setSecretQuestion(in SetSecretQuestion) {
	r := &e.run
	defer clear(in.Confirm)
	var bad error
	switch {
	case !slices.Contains(api.SecretQuestions, in.Question):
		bad = ErrSecretQuestionUnknown
	case !secretAnswerOK(in.Answer):
		bad = ErrSecretAnswerFormat
	case subtle.ConstantTimeCompare(in.Answer, in.Confirm) != 1:
		bad = ErrSecretAnswerMismatch
	}
	if bad != nil {
		clear(in.Answer)
		e.fail(bad)
		return
	}
	answer := string(in.Answer) // the portal client takes a string
	clear(in.Answer)
	p, tok, question := e.d.Portal, r.token, in.Question
	e.start(BusySecretSetting, func(ctx context.Context) func() {
		s, err := p.SetSecretQuestion(ctx, tok, question, answer)
		return e.doneOrFail(s, err)
	})
	e.publish()
}
