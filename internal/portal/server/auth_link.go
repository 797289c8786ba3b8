package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func linkInvalid() *api.Error {
	return &api.Error{Status: http.StatusGone, Code: api.CodeLinkInvalid, Message: "Ce lien n'est pas valide"}
}

// readLink finds the link of a token and checks it is usable at now (not redeemed).
func (s *Server) readLink(ctx context.Context, token string) (otp.Link, *api.Error) {
	if token == "" || len(token) > 128 {
		return otp.Link{}, linkInvalid()
	}
	l, err := s.st.LinkByToken(ctx, otp.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return otp.Link{}, linkInvalid()
	}
	if err != nil {
		return otp.Link{}, s.authStoreError("link", err)
	}
	probe := l
	if err := probe.Redeem(s.st.Now()); err != nil {
		return l, otp.APIError(err, s.st.Now())
	}
	return l, nil
}

// linkResendWindow is how long after its expiry an unused link may still be renewed.
const linkResendWindow = 24 * time.Hour

// linkResendable says whether POST /v1/recovery/link/resend renews l at now.
func linkResendable(l otp.Link, now time.Time) bool {
	return l.UserID != "" && l.UsedAt.IsZero() && now.Before(l.ExpiresAt.Add(linkResendWindow))
}

// linkInfo: POST /v1/recovery/link — what a valid link opens.
func (s *Server) linkInfo(r *http.Request, req api.LinkRequest) (api.LinkInfo, *api.Error) {
	l, e := s.readLink(r.Context(), req.Token)
	if e != nil {
		return api.LinkInfo{}, e
	}
	c, err := s.st.CredentialsOf(r.Context(), l.UserID)
	if err != nil {
		return api.LinkInfo{}, s.authStoreError("link", err)
	}
	return api.LinkInfo{Identifiant: c.Identifiant, ExpiresAt: l.ExpiresAt, Policy: s.opts.PasswordPolicy}, nil
}

// linkResend: POST /v1/recovery/link/resend — an expired, unused link of the last 24 h gets a
// fresh one by e-mail (seed 000: "un renvoi de lien d'une durée de validité de 15 minutes").
// The answer is MsgRecoveryDoneFR whatever happened.
func (s *Server) linkResend(r *http.Request, req api.LinkRequest) (api.RecoveryDone, *api.Error) {
	ctx, now := r.Context(), s.st.Now()
	l, e := s.readLink(ctx, req.Token)
	if (e == nil || e.Code == api.CodeLinkInvalid) && linkResendable(l, now) {
		l.UsedAt = now
		err := s.st.RedeemLink(ctx, l, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.AuditEntry{Event: store.AuditRecovery, UserID: l.UserID,
				Remote: r.RemoteAddr, Detail: "link resend"})
		})
		if c, cerr := s.st.CredentialsOf(ctx, l.UserID); err == nil && cerr == nil {
			s.recoverySend(ctx, api.RecoverPassword, c)
		}
	}
	return recoveryDone, nil
}

// resetPassword: POST /v1/recovery/reset — a new password under the policy through a link,
// which is used up in the same transaction; the account's sessions and remembered
// workstations end with it.
func (s *Server) resetPassword(r *http.Request, req api.ResetPasswordRequest) (api.RecoveryDone, *api.Error) {
	ctx, now := r.Context(), s.st.Now()
	l, e := s.readLink(ctx, req.Token)
	if e != nil {
		return api.RecoveryDone{}, e
	}
	c, err := s.st.CredentialsOf(ctx, l.UserID)
	if err != nil {
		return api.RecoveryDone{}, s.authStoreError("reset", err)
	}
	if e := s.checkNewPassword(ctx, c, req.New, req.Confirm); e != nil {
		return api.RecoveryDone{}, e
	}
	hash, err := s.opts.Auth.Hasher.Hash(ctx, []byte(req.New))
	if err != nil {
		return api.RecoveryDone{}, s.authStoreError("hash password", err)
	}
	l.UsedAt = now
	var ended []string
	err = s.st.RedeemLink(ctx, l, func(tx *store.Tx) error {
		var err error
		if ended, err = tx.EndUserSessions(ctx, c.ID, ""); err != nil { // whoever knew the old password is out
			return err
		}
		return tx.SetPasswordTx(ctx, c.ID, hash, store.AuditEntry{Event: store.AuditPasswordSet,
			Remote: r.RemoteAddr, Detail: "reset by link"})
	})
	if errors.Is(err, store.ErrChanged) {
		return api.RecoveryDone{}, otp.APIError(otp.ErrLinkUsed, now)
	}
	if err != nil {
		return api.RecoveryDone{}, s.authStoreError("reset", err)
	}
	s.passwordChanged(ctx, c, ended)
	return api.RecoveryDone{Message: "Votre mot de passe a été modifié, vous pouvez vous connecter"}, nil
}
