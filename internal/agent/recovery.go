package agent

import (
	"context"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Self-service recovery (seed 000 « J'ai oublié mon identifiant / mon mot de passe »), reached
// from the OTP path: name (e-mail for a forgotten identifiant, identifiant or e-mail for a
// forgotten password) with the arithmetic question on one screen, then the secret question,
// then one final sentence whatever the facts — the portal answers the same for an unknown
// name, an account without a question and a wrong answer (docs/auth.md, "No enumeration"),
// and so does the engine: it shows what it asked, never what the portal knows.

// Recovery is the part of the portal the recovery screens use (internal/portal/client
// implements it). Optional: a Portal without it makes the screens say "not configured".
type Recovery interface {
	Captcha(ctx context.Context) (api.Captcha, error)
	RecoveryStart(ctx context.Context, req api.RecoveryStartRequest) (api.RecoveryStep, error)
	RecoveryAnswer(ctx context.Context, recoveryID, answer string) (string, error)
}

// RecoveryView is what the recovery screens show (Snapshot.Recovery).
type RecoveryView struct {
	Kind     string // api.RecoverIdentifiant or api.RecoverPassword
	Name     string // what was typed at the first step (kept when the step is shown again)
	Captcha  string // « Veuillez résoudre l'opération suivante : 9 + 0 = »
	Question string // the secret question (the account's or, for the portal, a decoy)
	// LinkMinutes is the validity of the e-mailed link from the portal's policy (0: unknown,
	// the screen then names no duration).
	LinkMinutes int
}

// recoveryRun is the flow's state the UI does not see.
type recoveryRun struct {
	captchaToken string
	id           string // recovery id of the secret question step
}

// ForgotIdentifiant and ForgotPassword open the recovery screens (OTP path's links
// « Identifiant oublié ? » and « Mot de passe oublié ? »).
type (
	ForgotIdentifiant struct{}
	ForgotPassword    struct{}
	// SubmitRecoveryName is the first step: the name and the arithmetic answer.
	SubmitRecoveryName struct{ Name, CaptchaAnswer string }
	// SubmitRecoveryAnswer is the secret answer (zeroed by the engine after use).
	SubmitRecoveryAnswer struct{ Answer []byte }
)

func (ForgotIdentifiant) intent()    {}
func (ForgotPassword) intent()       {}
func (SubmitRecoveryName) intent()   {}
func (SubmitRecoveryAnswer) intent() {}

// forgot opens the first recovery step of kind, the identifiant typed on the OTP path kept
// for a forgotten password.
func (e *Engine) forgot(kind string) {
	r := &e.run
	name := ""
	if kind == api.RecoverPassword {
		name = r.s.Identifiant
	}
	e.newFlow()
	e.clearOTP()
	e.to(StepRecoverName)
	r.s.Recovery, r.rec = &RecoveryView{Kind: kind, Name: name}, recoveryRun{}
	if _, ok := e.d.Portal.(Recovery); !ok {
		e.fail(ErrNotConfigured)
		return
	}
	e.loadCaptcha(true)
}

// loadCaptcha fetches a new arithmetic question (and, first, the link's validity).
func (e *Engine) loadCaptcha(withPolicy bool) {
	r := &e.run
	p := e.d.Portal
	rec := p.(Recovery)
	keep := r.s.Err
	e.start(BusyCaptchaLoading, func(ctx context.Context) func() {
		minutes := 0
		if withPolicy {
			if pol, err := p.PasswordPolicy(ctx); err == nil {
				minutes = pol.LinkTTLMinutes
			}
		}
		c, err := rec.Captcha(ctx)
		return func() {
			if withPolicy {
				r.s.Recovery.LinkMinutes = minutes
			}
			if err != nil {
				e.fail(err)
				return
			}
			r.rec.captchaToken, r.s.Recovery.Captcha, r.s.Err = c.Token, c.Question, keep
			e.publish()
		}
	})
	e.publish()
}

func (e *Engine) submitRecoveryName(in SubmitRecoveryName) {
	r := &e.run
	name, ans := strings.TrimSpace(in.Name), strings.TrimSpace(in.CaptchaAnswer)
	r.s.Recovery.Name = name
	switch {
	case !validIdentifiant(name):
		e.fail(ErrIdentifiantFormat)
		return
	case ans == "" || r.rec.captchaToken == "":
		e.fail(ErrCaptchaEmpty)
		return
	}
	rec := e.d.Portal.(Recovery)
	req := api.RecoveryStartRequest{Kind: r.s.Recovery.Kind, Name: name, CaptchaToken: r.rec.captchaToken, CaptchaAnswer: ans}
	r.rec.captchaToken = "" // one answer per question
	e.start(BusyRecoveryStarting, func(ctx context.Context) func() {
		step, err := rec.RecoveryStart(ctx, req)
		return func() {
			if err != nil {
				r.s.Err = err
				e.loadCaptcha(false) // a new question, never the same one again
				return
			}
			e.to(StepRecoverQuestion)
			r.rec.id, r.s.Recovery.Question = step.RecoveryID, step.Question
			e.publish()
		}
	})
	e.publish()
}

func (e *Engine) submitRecoveryAnswer(answer []byte) {
	r := &e.run
	if len(answer) == 0 {
		e.fail(ErrSecretAnswerFormat)
		return
	}
	rec, id := e.d.Portal.(Recovery), r.rec.id
	e.start(BusyRecoveryAnswering, func(ctx context.Context) func() {
		_, err := rec.RecoveryAnswer(ctx, id, string(answer))
		clear(answer)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			e.to(StepRecoverDone) // the same sentence whatever the portal did
			r.rec = recoveryRun{}
			e.publish()
		}
	})
	e.publish()
}
