package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// MsgRecoveryOTPFR answers every POST /v1/recovery/otp, whether a code went out or not.
const MsgRecoveryOTPFR = "Si ce canal est activé pour ce compte, un code vient d'y être envoyé : saisissez-le à la place de la réponse secrète."

// recoveryPad is the least time POST /v1/recovery/otp takes, so that sending a code (a
// database write and a queued message) and sending nothing cannot be told apart by timing.
const recoveryPad = 250 * time.Millisecond

// recoveryOTP: POST /v1/recovery/otp — a code to the account's active channel of kind, in
// place of the secret question (seed 004). Same answer whatever happens, and the same
// duration: the route is registered under atLeast(recoveryPad, …).
func (s *Server) recoveryOTP(r *http.Request, req api.RecoveryOTPRequest) (api.RecoveryDone, *api.Error) {
	s.recoveryCodeSend(r, req)
	return api.RecoveryDone{Message: MsgRecoveryOTPFR}, nil
}

func (s *Server) recoveryCodeSend(r *http.Request, req api.RecoveryOTPRequest) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	rec, err := s.st.RecoveryByID(ctx, req.RecoveryID)
	if err != nil || rec.UserID == "" || rec.Done || !now.Before(rec.ExpiresAt) {
		return
	}
	chs, err := s.st.ActiveChannels(ctx, rec.UserID)
	ch, ok := pickChannel(chs, req.Kind)
	if err != nil || !ok || req.Kind == "" {
		return
	}
	c, err := s.st.ChallengeByID(ctx, rec.ID)
	if errors.Is(err, store.ErrNotFound) {
		c = store.Challenge{ID: rec.ID, UserID: rec.UserID, Purpose: store.PurposeRecovery, CreatedAt: now}
		err = s.st.AddChallenge(ctx, c, store.AuditEntry{})
	}
	if err != nil || c.Purpose != store.PurposeRecovery {
		return
	}
	prev := c
	code, err := a.newCode(&c, ch, now)
	audit := store.AuditEntry{Event: store.AuditOTPSend, UserID: rec.UserID, Remote: r.RemoteAddr,
		Detail: "recovery " + ch.Kind + " " + ch.Masked()}
	if err != nil {
		audit.Result, audit.Detail = store.ResultRefused, audit.Detail+" refused"
		s.audit(ctx, audit)
		return
	}
	if !s.codeAllowed(r, rec.UserID, "recovery", audit) {
		audit = store.AuditEntry{} // the refusal is written; the challenge keeps the unsent code
		s.st.UpdateChallenge(ctx, prev, c, audit)
		return
	}
	if s.st.UpdateChallenge(ctx, prev, c, audit) != nil {
		return
	}
	_, err = a.Notifier.Send(ctx, notify.Message{Channel: ch.Kind, To: ch.Address, Template: notify.TmplOTPCode,
		Data: notify.Data{Service: a.Service, Support: a.Support, Code: code, Minutes: int(a.OTP.Config().TTL / time.Minute)}})
	if err != nil {
		s.log.Error("queue recovery code", "err", err)
	}
}

// recoveryCodeOK checks a code given in place of the secret answer (stored like any try).
func (s *Server) recoveryCodeOK(ctx context.Context, r *http.Request, rec store.Recovery, code string) bool {
	c, err := s.st.ChallengeByID(ctx, rec.ID)
	if err != nil || c.Purpose != store.PurposeRecovery || c.UserID != rec.UserID {
		return false
	}
	return s.checkCode(r, c, code) == nil
}
