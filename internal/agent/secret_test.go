package agent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// SetSecretQuestion of the fake portal: the portal's own rules (question from the list,
// answer of 3 to 256 bytes once folded), then the action is done.
func (p *fakePortal) SetSecretQuestion(ctx context.Context, token, question, answer string) (api.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("SetSecretQuestion")
	s, err := p.session(token)
	if err != nil {
		return api.Session{}, err
	}
	folded := strings.Join(strings.Fields(strings.ToLower(answer)), " ")
	if !slices.Contains(api.SecretQuestions, question) || len(folded) < 3 || len(folded) > 256 {
		return api.Session{}, &api.Error{Code: api.CodeInvalidRequest}
	}
	p.secret = [2]string{question, answer}
	dropAction(s, api.ActionSetSecretQuestion)
	return *s, nil
}

func (p *fakePortal) secretSet() [2]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.secret
}

// TestSecretQuestionStep: the first sign-in of an enrolled account asks the secret question
// after the phone; bad input is refused locally (no portal call) with its own error, secrets
// are zeroed, a good answer reaches the portal and the banner follows.
func TestSecretQuestionStep(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.actions = []string{api.ActionLinkPhone, api.ActionSetSecretQuestion}
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepLinkPhone)
	h.e.Do(LinkPhone{Number: "4021"})
	s := h.settle(StepSecretQuestion)
	if !slices.Equal(s.SecretQuestions, api.SecretQuestions) {
		t.Fatalf("questions offered %q", s.SecretQuestions)
	}
	q := api.SecretQuestions[2]
	for _, tc := range []struct {
		in   SetSecretQuestion
		want error
	}{
		{SetSecretQuestion{Question: "Votre couleur préférée ?", Answer: []byte("bleu"), Confirm: []byte("bleu")}, ErrSecretQuestionUnknown},
		{SetSecretQuestion{Question: q, Answer: []byte("  ab  "), Confirm: []byte("  ab  ")}, ErrSecretAnswerFormat},
		{SetSecretQuestion{Question: q, Answer: []byte(strings.Repeat("é", 257)), Confirm: []byte(strings.Repeat("é", 257))}, ErrSecretAnswerFormat},
		{SetSecretQuestion{Question: q, Answer: []byte("Jules Ferry"), Confirm: []byte("Jules Ferri")}, ErrSecretAnswerMismatch},
	} {
		from := h.mark()
		answer, confirm := tc.in.Answer, tc.in.Confirm
		h.e.Do(tc.in)
		s = h.wait("refusal", func(s Snapshot) bool { return s.Err != nil })
		if !errors.Is(s.Err, tc.want) || s.Step != StepSecretQuestion {
			t.Fatalf("%q: step %v err %v, want %v", answer, s.Step, s.Err, tc.want)
		}
		if strings.Trim(string(answer)+string(confirm), "\x00") != "" {
			t.Fatalf("refused answer not zeroed: %q %q", answer, confirm)
		}
		h.assertSteps(from, StepSecretQuestion)
	}
	if n := h.p.called("SetSecretQuestion"); n != 0 {
		t.Fatalf("bad input reached the portal %d times", n)
	}
	answer, confirm := []byte("Jules Ferry"), []byte("Jules Ferry")
	h.e.Do(SetSecretQuestion{Question: q, Answer: answer, Confirm: confirm})
	s = h.settle(StepSignedIn)
	if got := h.p.secretSet(); got != [2]string{q, "Jules Ferry"} {
		t.Fatalf("portal got %q", got)
	}
	if len(s.Session.RequiredActions) != 0 || s.Session.Phone != "" && s.Session.Phone != "4021" {
		t.Fatalf("banner session %+v", s.Session)
	}
	if strings.Trim(string(answer)+string(confirm), "\x00") != "" {
		t.Fatalf("answer not zeroed after use")
	}
}

// TestSecretQuestionPortalRefusal: the portal's refusal stays on the step with its code.
func TestSecretQuestionPortalRefusal(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.actions = []string{api.ActionSetSecretQuestion}
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepSecretQuestion)
	// 100 characters for the agent, 300 bytes for the portal, which counts bytes.
	long := strings.Repeat("€", 100)
	h.e.Do(SetSecretQuestion{Question: api.SecretQuestions[0], Answer: []byte(long), Confirm: []byte(long)})
	s := h.wait("portal refusal", func(s Snapshot) bool { return s.Err != nil })
	if MessageKey(s.Err) != api.CodeInvalidRequest || s.Step != StepSecretQuestion {
		t.Fatalf("step %v err %v", s.Step, s.Err)
	}
}

// TestSecretQuestionCancelSignsOut: the step is required; leaving it abandons the sign-in.
func TestSecretQuestionCancelSignsOut(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.actions = []string{api.ActionSetSecretQuestion}
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepSecretQuestion)
	h.e.Do(Cancel{})
	if s := h.settle(StepWaitingCard); s.Session != nil {
		t.Fatalf("session kept after cancelling the secret question")
	}
	h.eventually("signed out", func() bool { return h.p.wasSignedOut("tok-1") })
}

func TestStepNamesAppendOnly(t *testing.T) {
	if StepSettings.String() != "settings" || StepSecretQuestion.String() != "secret_question" || int(StepSecretQuestion) != 20 {
		t.Fatalf("step numbering changed: settings=%d %q, secret_question=%d %q",
			StepSettings, StepSettings, StepSecretQuestion, StepSecretQuestion)
	}
}
