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
// without a password get the same answer at the same cost (argon2id or its dummy, one lock
// state write, one audit line); names of no account are locked like accounts (auth_throttle)
// so that the lockout message tells nothing either. Habilitation, disabled accounts and
// missing channels are only told after a right password.
func (s *Server) signInPassword(r *http.Request, req api.PasswordSignInRequest) (api.PasswordSignInResponse, *api.Error) {
	if !validText(req.Workstation, 128) {
		return api.PasswordSignInResponse{}, badRequest("workstation: 1 to 128 printable characters")
	}
	if len(req.Password) > password.MaxBytes || len(req.Identifiant) > 256 {
		return api.PasswordSignInResponse{}, badRequest("identifiant or password too long")
	}
	ctx := r.Context()
	subject, _, _ := ident.Normalize(req.Identifiant)
	userID, err := ident.Resolve(ctx, s.st, req.Identifiant)
	if errors.Is(err, ident.ErrNotFound) {
		return api.PasswordSignInResponse{}, s.unknownSignIn(r, subject, req)
	}
	if err != nil {
		return api.PasswordSignInResponse{}, s.authStoreError("password sign-in", err)
	}
	c, err := s.st.CredentialsOf(ctx, userID)
	if err != nil {
		return api.PasswordSignInResponse{}, s.authStoreError("password sign-in", err)
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

// checkPassword applies the lockout and argon2id to an existing account and stores the
// outcome; nil means the password is right.
func (s *Server) checkPassword(ctx context.Context, r *http.Request, c store.Credentials, subject string, req api.PasswordSignInRequest) *api.Error {
	a, now := s.opts.Auth, s.st.Now()
	pw := []byte(req.Password)
	state := password.State{Failures: c.Failures, LockedUntil: c.LockedUntil}
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
	next, res := a.Password.Lockout.Decide(state, now, ok)
	e := store.AuditEntry{Event: store.AuditPasswordSignIn, UserID: c.ID, Subject: subject,
		Workstation: req.Workstation, Remote: r.RemoteAddr}
	if res.Outcome != password.Accepted {
		e.Result, e.Code = store.ResultRefused, api.CodeCredentials
		if res.Outcome == password.Locked {
			e.Event, e.Code = store.AuditLockout, api.CodeAccountLocked
		}
	}
	if err := s.st.SetLockState(ctx, c.ID, next.Failures, next.LockedUntil, e); err != nil {
		return s.authStoreError("lock state", err)
	}
	if res.Outcome != password.Accepted {
		s.metrics.signins.WithLabelValues(api.MethodOTP, store.ResultRefused, e.Code).Inc()
		return password.ResultError(res, now, true)
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

// unknownSignIn refuses a name that matches no account exactly as a wrong password would.
func (s *Server) unknownSignIn(r *http.Request, subject string, req api.PasswordSignInRequest) *api.Error {
	a, now, ctx := s.opts.Auth, s.st.Now(), r.Context()
	t, err := s.st.ThrottleOf(ctx, subject)
	if err != nil {
		return s.authStoreError("throttle", err)
	}
	if err := a.Hasher.VerifyDummy(ctx, []byte(req.Password)); err != nil {
		s.log.Error("password verify", "err", err)
		return internalError()
	}
	next, res := a.Password.Lockout.Decide(password.State{Failures: t.Failures, LockedUntil: t.LockedUntil}, now, false)
	e := store.AuditEntry{Event: store.AuditPasswordSignIn, Result: store.ResultRefused, Code: api.CodeCredentials,
		Subject: subject, Workstation: req.Workstation, Remote: r.RemoteAddr, Detail: "unknown name"}
	if res.Outcome == password.Locked {
		e.Event, e.Code = store.AuditLockout, api.CodeAccountLocked
	}
	if err := s.st.SetThrottle(ctx, subject, store.Throttle{Failures: next.Failures, LockedUntil: next.LockedUntil}, e); err != nil {
		return s.authStoreError("throttle", err)
	}
	s.metrics.signins.WithLabelValues(api.MethodOTP, store.ResultRefused, e.Code).Inc()
	return password.ResultError(res, now, true)
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
