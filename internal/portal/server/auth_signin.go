package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// signInPassword: POST /v1/signin/password. A wrong password, an unknown name and an account
// without a password get the same answer at the same cost (argon2id or its dummy, one
// lock-state transaction, one audit line); typed names are locked like accounts
// (auth_throttle), so that the lockout message tells nothing either. Habilitation, disabled
// accounts and missing channels are only told after a right password.
func (s *Server) signInPassword(r *http.Request, req api.PasswordSignInRequest) (api.PasswordSignInResponse, *api.Error) {
	if !validText(req.Workstation, 128) {
		return api.PasswordSignInResponse{}, badRequest("workstation: 1 to 128 printable characters")
	}
	if len(req.Password) > password.MaxBytes || len(req.Identifiant) > 256 {
		return api.PasswordSignInResponse{}, badRequest("identifiant or password too long")
	}
	ctx := r.Context()
	subject := s.signInSubject(req.Identifiant)
	userID, err := ident.Resolve(ctx, s.st, req.Identifiant)
	if err != nil && !errors.Is(err, ident.ErrNotFound) {
		return api.PasswordSignInResponse{}, s.authStoreError("password sign-in", err)
	}
	var c store.Credentials
	if userID != "" {
		if c, err = s.st.CredentialsOf(ctx, userID); err != nil {
			return api.PasswordSignInResponse{}, s.authStoreError("password sign-in", err)
		}
	}
	if e := s.checkPassword(ctx, r, c, subject, req); e != nil {
		return api.PasswordSignInResponse{}, e
	}
	if c.Disabled || !c.Habilitation {
		s.refuseSignIn(r, c.ID, subject, req.Workstation, api.CodeForbidden, "no habilitation or disabled")
		return api.PasswordSignInResponse{}, forbidden()
	}
	if in, ok := s.deviceSignIn(ctx, r, c.ID, subject, req); ok {
		return api.PasswordSignInResponse{SignIn: &in}, nil
	}
	return s.startChallenge(r, c.ID, subject, req.Workstation)
}

// checkPassword runs argon2id (or its dummy for an unknown name or an account without a
// password) and counts the try against the account and the typed name (countGuess); nil
// means the password is right and neither is locked.
func (s *Server) checkPassword(ctx context.Context, r *http.Request, c store.Credentials, subject string, req api.PasswordSignInRequest) *api.Error {
	a := s.opts.Auth
	pw := []byte(req.Password)
	ok := false
	var err error
	if c.PasswordHash != "" {
		ok, err = a.Hasher.Verify(ctx, pw, c.PasswordHash)
	} else {
		err = a.Hasher.VerifyDummy(ctx, pw)
	}
	if err != nil {
		s.log.Error("password verify", "err", err)
		return internalError()
	}
	g := guess{userID: c.ID, subject: subject, right: ok, lockEvent: store.AuditLockout,
		audit: store.AuditEntry{Event: store.AuditPasswordSignIn, UserID: c.ID, Subject: subject,
			Workstation: req.Workstation, Remote: r.RemoteAddr}}
	if c.ID == "" {
		g.audit.Detail = "unknown name"
	}
	v, err := s.countGuess(ctx, g)
	if err != nil {
		return s.authStoreError("lock state", err)
	}
	if !v.accepted {
		e := s.refusal(g, v)
		s.metrics.signins.WithLabelValues(api.MethodOTP, store.ResultRefused, e.Code).Inc()
		return e
	}
	if a.Hasher.NeedsRehash(c.PasswordHash) {
		if h, err := a.Hasher.Hash(ctx, pw); err == nil {
			_, err = s.st.SetPassword(ctx, c.ID, store.NewPassword{Hash: h, MustChange: c.MustChange},
				store.AuditEntry{Event: store.AuditPasswordSet, Detail: "rehash"})
			if err != nil {
				s.log.Error("rehash", "err", err)
			}
		}
	}
	return nil
}

func (s *Server) refuseSignIn(r *http.Request, userID, subject, ws, code, detail string) {
	s.metrics.signins.WithLabelValues(api.MethodOTP, store.ResultRefused, code).Inc()
	s.audit(r.Context(), store.AuditEntry{Event: store.AuditSignIn, Result: store.ResultRefused, Code: code,
		UserID: userID, Subject: subject, Workstation: ws, Remote: r.RemoteAddr, Detail: detail})
}

// deviceSignIn opens the session at once when the workstation's device token is valid for
// this account (seed 003: the OTP is skipped for 24 h on that workstation).
func (s *Server) deviceSignIn(ctx context.Context, r *http.Request, userID, subject string, req api.PasswordSignInRequest) (api.SignIn, bool) {
	if req.DeviceToken == "" || len(req.DeviceToken) > 128 {
		return api.SignIn{}, false
	}
	d, err := s.st.DeviceByToken(ctx, otp.HashToken(req.DeviceToken))
	if err != nil || !d.Valid(req.DeviceToken, userID, req.Workstation, s.st.Now()) {
		return api.SignIn{}, false
	}
	other, err := s.st.SignedInSince(ctx, req.Workstation, userID, d.ExpiresAt.Add(-s.opts.Auth.DeviceTTL))
	if err != nil || other {
		return api.SignIn{}, false // someone else signed in here since (card included)
	}
	in, err := s.openOTPSession(ctx, r, userID, subject, req.Workstation, "remembered workstation")
	if err != nil {
		s.log.Error("device sign-in", "err", err)
		return api.SignIn{}, false
	}
	return in, true
}

// openOTPSession opens a password+OTP session and cancels other users' remembered
// workstations on this one.
func (s *Server) openOTPSession(ctx context.Context, r *http.Request, userID, subject, ws, detail string) (api.SignIn, error) {
	if err := s.st.ForgetOtherUsersDevices(ctx, userID, ws); err != nil {
		return api.SignIn{}, err
	}
	return s.OpenSession(ctx, userID, api.MethodOTP, ws,
		store.AuditEntry{Subject: subject, Remote: r.RemoteAddr, Detail: detail})
}

// noChannel tells a user without an active channel how to get one.
func noChannel() *api.Error {
	return &api.Error{Status: http.StatusConflict, Code: api.CodeNoChannel,
		Message: "Aucun canal OTP n'est activé pour ce compte : connectez-vous une première fois avec votre carte CPx " +
			"et paramétrez vos canaux OTP (« Modifier mes canaux OTP »)"}
}

// startChallenge records that the password was right and lists the channels a code can go to.
func (s *Server) startChallenge(r *http.Request, userID, subject, ws string) (api.PasswordSignInResponse, *api.Error) {
	ctx := r.Context()
	chs, err := s.st.ActiveChannels(ctx, userID)
	if err != nil {
		return api.PasswordSignInResponse{}, s.authStoreError("channels", err)
	}
	if len(chs) == 0 {
		s.refuseSignIn(r, userID, subject, ws, api.CodeNoChannel, "no active otp channel")
		return api.PasswordSignInResponse{}, noChannel()
	}
	c := store.Challenge{ID: store.NewID(), UserID: userID, Purpose: store.PurposeSignIn, Workstation: ws,
		CreatedAt: s.st.Now()}
	if err := s.st.AddChallenge(ctx, c, store.AuditEntry{}); err != nil {
		return api.PasswordSignInResponse{}, s.authStoreError("challenge", err)
	}
	out := api.PasswordSignInResponse{ChallengeID: c.ID}
	for _, ch := range chs {
		out.Channels = append(out.Channels, ch.API(true))
	}
	return out, nil
}
