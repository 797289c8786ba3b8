package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func mismatch() *api.Error {
	return &api.Error{Status: http.StatusUnprocessableEntity, Code: api.CodePasswordMismatch,
		Message: "Le nouveau mot de passe et sa confirmation sont différents"}
}

// checkNewPassword applies the policy to a new password of c (and refuses the current one).
func (s *Server) checkNewPassword(ctx context.Context, c store.Credentials, pw, confirm string) *api.Error {
	a := s.opts.Auth
	if pw != confirm {
		return mismatch()
	}
	if len(pw) > password.MaxBytes {
		return badRequest("password too long")
	}
	vs := a.Password.Policy.Check([]byte(pw), password.CheckContext{Identifiant: c.Identifiant,
		GivenName: c.GivenName, FamilyName: c.FamilyName})
	if e := password.PolicyError(vs); e != nil {
		return e
	}
	if c.PasswordHash != "" {
		if same, err := a.Hasher.Verify(ctx, []byte(pw), c.PasswordHash); err == nil && same {
			return &api.Error{Status: http.StatusUnprocessableEntity, Code: api.CodePasswordReused,
				Message: "Le nouveau mot de passe doit être différent de l'ancien"}
		}
	}
	return nil
}

// setPassword: PUT /v1/session/password — the first password (during the first card sign-in,
// no old one) or a change (old, new, confirm), optionally signing out the other sessions. A
// confirmation e-mail follows (seed 001: "Si vous n'avez pas effectué ce changement …").
func (s *Server) setPassword(r *http.Request, sess store.Session, req api.SetPasswordRequest) (api.Session, *api.Error) {
	a, ctx := s.opts.Auth, r.Context()
	c, err := s.st.CredentialsOf(ctx, sess.UserID)
	if err != nil {
		return api.Session{}, s.authStoreError("set password", err)
	}
	if c.PasswordHash != "" {
		if e := s.checkOldPassword(r, sess, c, req.Old); e != nil {
			return api.Session{}, e
		}
	}
	if e := s.checkNewPassword(ctx, c, req.New, req.Confirm); e != nil {
		s.auditRefusal(r, sess, store.AuditPasswordSet, e.Code, "new password refused")
		return api.Session{}, e
	}
	hash, err := a.Hasher.Hash(ctx, []byte(req.New))
	if err != nil {
		return api.Session{}, s.authStoreError("hash password", err)
	}
	detail := "changed"
	if c.PasswordHash == "" {
		detail = "first password"
	}
	ended, err := s.st.SetPassword(ctx, c.ID, store.NewPassword{Hash: hash, SignOutOthers: req.SignOutOthers,
		KeepSessID: sess.ID}, store.AuditEntry{Event: store.AuditPasswordSet, SessionID: sess.ID,
		Workstation: sess.Workstation, Remote: r.RemoteAddr, Detail: detail})
	if err != nil {
		return api.Session{}, s.authStoreError("set password", err)
	}
	s.passwordChanged(ctx, c, ended)
	return s.sessionAnswer(ctx, sess)
}

// checkOldPassword verifies the old password of a change under the account's lock: every
// wrong one counts (countGuess), and while the account is locked even the right one is
// refused, with the same answer. The new password is looked at only after this.
func (s *Server) checkOldPassword(r *http.Request, sess store.Session, c store.Credentials, old string) *api.Error {
	ctx := r.Context()
	if len(old) > password.MaxBytes {
		old = ""
	}
	ok, err := s.opts.Auth.Hasher.Verify(ctx, []byte(old), c.PasswordHash)
	if err != nil {
		s.log.Error("old password verify", "err", err)
		return internalError()
	}
	g := guess{userID: c.ID, right: ok, quietOK: true, audit: store.AuditEntry{Event: store.AuditPasswordSet, UserID: c.ID,
		SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr, Detail: "old password"}}
	v, err := s.countGuess(ctx, g)
	if err != nil {
		return s.authStoreError("lock state", err)
	}
	if !v.accepted {
		return s.refusal(g, v)
	}
	return nil
}

// passwordChanged tells the ended sessions' clients and queues the confirmation e-mail (its
// delivery is retried and logged; the change itself is done).
func (s *Server) passwordChanged(ctx context.Context, c store.Credentials, ended []string) {
	for _, id := range ended {
		s.hub.wake(id)
	}
	to := s.contactEmail(ctx, c)
	if to == "" {
		return
	}
	a := s.opts.Auth
	_, err := a.Notifier.Send(ctx, notify.Message{Channel: "email", To: to, Template: notify.TmplPasswordChanged,
		Data: notify.Data{Service: a.Service, Support: a.Support}})
	if err != nil {
		s.log.Error("queue password confirmation", "err", err)
	}
}

// contactEmail is the account's enrolment address, else its active e-mail channel.
func (s *Server) contactEmail(ctx context.Context, c store.Credentials) string {
	if e, err := ident.NormalizeEmail(c.Email); err == nil {
		return e
	}
	chs, err := s.st.ActiveChannels(ctx, c.ID)
	if err != nil {
		return ""
	}
	for _, ch := range chs {
		if ch.Kind == api.ChannelEmail {
			return ch.Address
		}
	}
	return ""
}

// normAnswer folds a secret answer so that case, accents and spacing do not matter.
func normAnswer(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(ident.Fold(s))), " ")
}

// setSecretQuestion: PUT /v1/session/secret-question — one of api.SecretQuestions and an
// answer (stored as argon2id of its folded form).
func (s *Server) setSecretQuestion(r *http.Request, sess store.Session, req api.SecretQuestionRequest) (api.Session, *api.Error) {
	ans := normAnswer(req.Answer)
	if !slices.Contains(api.SecretQuestions, req.Question) || len(ans) < 3 || len(ans) > 256 {
		return api.Session{}, badRequest("question: one of the proposed questions; answer: 3 to 256 characters")
	}
	hash, err := s.opts.Auth.Hasher.Hash(r.Context(), []byte(ans))
	if err != nil {
		return api.Session{}, s.authStoreError("hash answer", err)
	}
	err = s.st.SetSecret(r.Context(), sess.UserID, req.Question, hash, store.AuditEntry{Event: store.AuditSecretSet,
		SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr})
	if err != nil {
		return api.Session{}, s.authStoreError("set secret", err)
	}
	return s.sessionAnswer(r.Context(), sess)
}
