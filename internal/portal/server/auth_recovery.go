package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// MsgRecoveryDoneFR is the one answer of every recovery outcome (seed 002), with the support
// hint for accounts without a secret question (see docs/auth.md, "No enumeration").
const MsgRecoveryDoneFR = "Procédure terminée, merci de vérifier votre boîte aux lettres. Si vous ne recevez aucun " +
	"courriel, vérifiez vos indésirables ou recommencez la procédure ; si vous n'avez jamais défini de question " +
	"secrète, contactez l'assistance."

var recoveryDone = api.RecoveryDone{Message: MsgRecoveryDoneFR}

// captcha: GET /v1/recovery/captcha.
func (s *Server) captcha(r *http.Request) (api.Captcha, *api.Error) {
	c, err := s.opts.Auth.Captcha.New(s.st.Now())
	if err != nil {
		return api.Captcha{}, s.authStoreError("captcha", err)
	}
	return api.Captcha{Question: c.QuestionFR, Token: c.Token, ExpiresAt: c.ExpiresAt}, nil
}

// recoveryStart: POST /v1/recovery/start — captcha, then the secret question of the account,
// or a decoy question (fixed per name) when the name matches no single account or the
// account has no question: the answer has the same shape either way.
func (s *Server) recoveryStart(r *http.Request, req api.RecoveryStartRequest) (api.RecoveryStep, *api.Error) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	if (req.Kind != api.RecoverPassword && req.Kind != api.RecoverIdentifiant) || len(req.Name) > 256 {
		return api.RecoveryStep{}, badRequest("kind: password or identifiant; name: at most 256 characters")
	}
	if err := a.Captcha.Check(ctx, req.CaptchaToken, req.CaptchaAnswer, now); err != nil {
		return api.RecoveryStep{}, otp.APIError(err, now)
	}
	name, _, _ := ident.Normalize(req.Name)
	userID := s.recoveryAccount(ctx, req.Kind, req.Name)
	rec := store.Recovery{ID: store.NewID(), Kind: req.Kind, ExpiresAt: now.Add(a.RecoveryTTL)}
	// The same reads for every name (an unknown one reads no row), so that the time taken
	// does not tell.
	c, err := s.st.CredentialsOf(ctx, userID)
	if err == nil && !c.Disabled {
		rec.UserID = c.ID // also without a question: the OTP channels can stand in for it
	}
	rec.Question = s.decoyQuestion(rec.UserID, req.Name)
	if rec.UserID != "" && c.SecretQuestion != "" {
		rec.Question = c.SecretQuestion
	}
	err = s.st.AddRecovery(ctx, rec, store.AuditEntry{Event: store.AuditRecovery, UserID: rec.UserID,
		Subject: name, Remote: r.RemoteAddr, Detail: req.Kind + " start"})
	if err != nil {
		return api.RecoveryStep{}, s.authStoreError("recovery", err)
	}
	return api.RecoveryStep{RecoveryID: rec.ID, Question: rec.Question}, nil
}

// decoyQuestion is the question shown when the account has none, or for a name of no
// account: chosen by a keyed hash of the account, else of the name alone (not of the kind of
// recovery), so that the identifiant and the e-mail address of one account, or one address
// asked for in both recoveries, show one question whether or not the account exists. An
// e-mail address whose local part reads as an identifiant ("jean.dupont@…") is keyed on that
// identifiant, so that an invented pair "jean.dupont" / "jean.dupont@…" agrees like a real one.
func (s *Server) decoyQuestion(userID, typed string) string {
	key := "account " + userID
	if userID == "" {
		key = "name " + decoyName(typed)
	}
	h := s.keyed("decoy", key)
	return api.SecretQuestions[int(h[0])%len(api.SecretQuestions)]
}

func decoyName(typed string) string {
	n, kind, err := ident.Normalize(typed)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(typed))
	}
	if kind == ident.KindEmail {
		local, _, _ := strings.Cut(n, "@")
		if id, k, err := ident.Normalize(local); err == nil && k == ident.KindIdentifiant {
			return id
		}
	}
	return n
}

// recoveryAccount finds the single account a forgotten-password name (identifiant or e-mail)
// or forgotten-identifiant e-mail designates, or "".
func (s *Server) recoveryAccount(ctx context.Context, kind, name string) string {
	if kind == api.RecoverPassword {
		id, _ := ident.Resolve(ctx, s.st, name)
		return id
	}
	e, err := ident.NormalizeEmail(name)
	if err != nil {
		return ""
	}
	ids, err := s.st.ByEmail(ctx, e)
	if err != nil || len(ids) != 1 {
		return ""
	}
	return ids[0]
}

// recoveryAnswer: POST /v1/recovery/answer — one answer (or one code, see recoveryOTP) per
// flow. A right answer e-mails a
// 15-minute link (password) or the identifiant; every outcome costs one argon2id (or its
// dummy) and answers MsgRecoveryDoneFR.
func (s *Server) recoveryAnswer(r *http.Request, req api.RecoveryAnswerRequest) (api.RecoveryDone, *api.Error) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	ans := []byte(normAnswer(req.Answer))
	if len(ans) > 256 {
		ans = ans[:256]
	}
	rec, err := s.st.RecoveryByID(ctx, req.RecoveryID)
	var c store.Credentials
	if err == nil && rec.UserID != "" && !rec.Done && now.Before(rec.ExpiresAt) {
		c, err = s.st.CredentialsOf(ctx, rec.UserID)
	}
	ok := false
	switch {
	case req.Code != "": // a code from an active channel in place of the answer
		ok = err == nil && c.ID != "" && s.recoveryCodeOK(ctx, r, rec, req.Code)
		a.Hasher.VerifyDummy(ctx, ans)
	case err == nil && c.SecretAnswerHash != "":
		ok, err = a.Hasher.Verify(ctx, ans, c.SecretAnswerHash)
		ok = s.answerGuess(ctx, c.ID, ok && err == nil)
	default:
		a.Hasher.VerifyDummy(ctx, ans)
		s.answerGuess(ctx, "", false) // the same transaction, on no row
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("recovery answer", "err", err)
	}
	e := store.AuditEntry{Event: store.AuditRecovery, Result: store.ResultRefused, UserID: rec.UserID,
		Remote: r.RemoteAddr, Detail: rec.Kind + " answer"}
	if ok {
		e.Result = store.ResultOK
	}
	if rec.ID == "" || s.st.FinishRecovery(ctx, rec, true, e) != nil {
		return recoveryDone, nil // unknown, finished or raced flow: nothing more is done
	}
	if ok {
		s.recoverySend(ctx, rec.Kind, c)
	}
	return recoveryDone, nil
}

// answerGuess counts a secret answer against the account's lock (countGuess) and reports
// whether it is right and the account is not locked; the caller's answer does not change.
func (s *Server) answerGuess(ctx context.Context, userID string, right bool) bool {
	v, err := s.countGuess(ctx, guess{userID: userID, right: right})
	if err != nil {
		s.log.Error("recovery lock state", "err", err)
		return false
	}
	return v.accepted
}

// recoverySend queues the outcome of a right answer: a reset link or the identifiant. The
// answer does not wait for delivery (that would tell, by its timing, that a mail was sent).
func (s *Server) recoverySend(ctx context.Context, kind string, c store.Credentials) {
	a := s.opts.Auth
	to := s.contactEmail(ctx, c)
	if to == "" {
		s.log.Warn("recovery: account has no e-mail address", "user", c.ID)
		return
	}
	m := notify.Message{Channel: api.ChannelEmail, To: to, Template: notify.TmplIdentifiantReminder,
		Data: notify.Data{Service: a.Service, Support: a.Support, Identifiant: c.Identifiant}}
	if kind == api.RecoverPassword {
		tok, l, err := otp.NewLink(c.ID, otp.PurposeResetPassword, s.st.Now(), a.LinkTTL)
		if err == nil {
			err = s.st.AddLink(ctx, l)
		}
		if err != nil {
			s.log.Error("recovery link", "err", err)
			return
		}
		m.Template = notify.TmplRecoveryLink
		m.Data.Link, m.Data.Minutes = a.LinkURL+tok, int(a.LinkTTL/time.Minute)
	}
	if _, err := a.Notifier.Send(ctx, m); err != nil {
		s.log.Error("queue recovery mail", "err", err)
	}
}
