package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func challengeGone() *api.Error {
	return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeOTPExpired,
		Message: "La connexion a expiré, recommencez avec votre identifiant et votre mot de passe"}
}

// signInChallenge reads a live sign-in challenge.
func (s *Server) signInChallenge(ctx context.Context, id string, now time.Time) (store.Challenge, *api.Error) {
	if !validText(id, 128) {
		return store.Challenge{}, badRequest("challenge_id is required")
	}
	c, err := s.st.ChallengeByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Purpose != store.PurposeSignIn) {
		return store.Challenge{}, challengeGone()
	}
	if err != nil {
		return store.Challenge{}, s.authStoreError("challenge", err)
	}
	if !now.Before(c.CreatedAt.Add(s.opts.Auth.ChallengeTTL)) {
		return store.Challenge{}, challengeGone()
	}
	return c, nil
}

// sendOTP: POST /v1/signin/otp/send — the first code, or a new one (at most every 30 s, at
// most 5 per challenge), on the chosen active channel (e-mail when kind is empty).
func (s *Server) sendOTP(r *http.Request, req api.OTPSendRequest) (api.OTPSendResponse, *api.Error) {
	ctx, now := r.Context(), s.st.Now()
	c, e := s.signInChallenge(ctx, req.ChallengeID, now)
	if e != nil {
		return api.OTPSendResponse{}, e
	}
	chs, err := s.st.ActiveChannels(ctx, c.UserID)
	if err != nil {
		return api.OTPSendResponse{}, s.authStoreError("channels", err)
	}
	ch, ok := pickChannel(chs, req.Kind)
	if !ok {
		return api.OTPSendResponse{}, &api.Error{Status: http.StatusBadRequest, Code: api.CodeChannelInvalid,
			Message: "Ce canal n'est pas activé pour votre compte"}
	}
	return s.issueAndSend(r, c, ch, store.AuditOTPSend)
}

func pickChannel(chs []otp.Channel, kind string) (otp.Channel, bool) {
	for _, ch := range chs {
		if kind == "" || ch.Kind == kind {
			return ch, true
		}
	}
	return otp.Channel{}, false
}

// issueAndSend puts a fresh code on c (first or resend), stores it (compare-and-set) and sends
// it on ch: where it went, or the refusal.
func (s *Server) issueAndSend(r *http.Request, c store.Challenge, ch otp.Channel, event string) (api.OTPSendResponse, *api.Error) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	prev := c
	code, err := a.newCode(&c, ch, now)
	audit := store.AuditEntry{Event: event, UserID: c.UserID, Workstation: c.Workstation, Remote: r.RemoteAddr,
		Detail: ch.Kind + " " + ch.Masked()}
	if err != nil {
		ae := otp.APIError(err, now)
		audit.Result, audit.Code = store.ResultRefused, ae.Code
		s.audit(ctx, audit)
		return api.OTPSendResponse{}, ae
	}
	allowed := s.codeAllowed(r, c.UserID, c.Purpose, audit)
	if !allowed {
		audit = store.AuditEntry{} // codeAllowed wrote the refusal
	}
	if err := s.st.UpdateChallenge(ctx, prev, c, audit); errors.Is(err, store.ErrChanged) {
		return api.OTPSendResponse{}, otp.APIError(&otp.Error{Err: otp.ErrResendTooSoon, RetryAt: now.Add(time.Second)}, now)
	} else if err != nil {
		return api.OTPSendResponse{}, s.authStoreError("challenge", err)
	}
	cfg := a.OTP.Config()
	out := api.OTPSendResponse{SentTo: ch.Masked(), Delivery: api.DeliveryPending, ResendAfter: int(cfg.ResendAfter / time.Second)}
	if !allowed {
		return out, nil // the same answer as a code on its way
	}
	job, status, e := s.send(ctx, notify.Message{Channel: ch.Kind, To: ch.Address, Template: notify.TmplOTPCode,
		Data: notify.Data{Code: code, Minutes: int(cfg.TTL / time.Minute)}})
	if job != "" {
		if err := s.st.SetChallengeJob(ctx, c.ID, job); err != nil {
			s.log.Error("challenge job", "err", err)
		}
	}
	if e != nil {
		s.audit(ctx, store.AuditEntry{Event: event, Result: store.ResultRefused, Code: e.Code, UserID: c.UserID,
			Workstation: c.Workstation, Remote: r.RemoteAddr, Detail: "delivery failed " + ch.Kind})
		return api.OTPSendResponse{}, e
	}
	out.Delivery = status
	return out, nil
}

// newCode puts the first code of c, or a new one, on ch.
func (a *AuthOptions) newCode(c *store.Challenge, ch otp.Channel, now time.Time) (code string, err error) {
	if c.OTP.ID == "" {
		c.OTP, code, err = a.OTP.Issue(ch, now)
		return code, err
	}
	c.OTP.Channel = ch
	return a.OTP.Resend(&c.OTP, now)
}

// checkCode verifies a typed code against c and stores the outcome (tries, used) with an
// audit line; nil means right.
func (s *Server) checkCode(r *http.Request, c store.Challenge, code string) *api.Error {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	if c.OTP.ID == "" {
		return otp.APIError(otp.ErrExpired, now)
	}
	if len(code) > 16 {
		code = ""
	}
	prev := c
	verr := a.OTP.Verify(&c.OTP, code, now)
	audit := store.AuditEntry{Event: store.AuditOTPVerify, UserID: c.UserID, Workstation: c.Workstation,
		Remote: r.RemoteAddr, Detail: c.Purpose + " " + c.OTP.Channel.Kind}
	var ae *api.Error
	if verr != nil {
		ae = otp.APIError(verr, now)
		audit.Result, audit.Code = store.ResultRefused, ae.Code
	}
	if c.OTP.Tries == prev.OTP.Tries && c.OTP.Used == prev.OTP.Used {
		s.audit(ctx, audit) // expired, used or capped: nothing changed
		return ae
	}
	if e := s.codeGuess(ctx, c.UserID, verr == nil); e != nil {
		audit.Result, audit.Code = store.ResultRefused, e.Code
		s.audit(ctx, audit)
		return e
	}
	if err := s.st.UpdateChallenge(ctx, prev, c, audit); err != nil {
		if errors.Is(err, store.ErrChanged) {
			return otp.APIError(&otp.Error{Err: otp.ErrInvalid, TriesLeft: 0}, now)
		}
		return s.authStoreError("challenge", err)
	}
	return ae
}

// verifyOTP: POST /v1/signin/otp/verify — a right code opens the session (and remembers the
// workstation for 24 h when asked).
func (s *Server) verifyOTP(r *http.Request, req api.OTPVerifyRequest) (api.SignIn, *api.Error) {
	ctx, now := r.Context(), s.st.Now()
	c, e := s.signInChallenge(ctx, req.ChallengeID, now)
	if e != nil {
		return api.SignIn{}, e
	}
	if e := s.checkCode(r, c, req.Code); e != nil {
		return api.SignIn{}, e
	}
	u, err := s.st.CredentialsOf(ctx, c.UserID)
	if err != nil {
		return api.SignIn{}, s.authStoreError("otp sign-in", err)
	}
	if u.Disabled || !u.Habilitation {
		s.refuseSignIn(r, u.ID, u.Identifiant, c.Workstation, api.CodeForbidden, "no habilitation or disabled")
		return api.SignIn{}, forbidden()
	}
	in, err := s.openOTPSession(ctx, r, u.ID, u.Identifiant, c.Workstation, "otp "+c.OTP.Channel.Kind)
	if err != nil {
		return api.SignIn{}, s.authStoreError("otp sign-in", err)
	}
	if req.Remember {
		tok, d, err := otp.NewDevice(u.ID, c.Workstation, now, s.opts.Auth.DeviceTTL)
		if err == nil {
			err = s.st.RememberDevice(ctx, d)
		}
		if err != nil {
			s.log.Error("remember workstation", "err", err)
		} else {
			in.DeviceToken = tok
		}
	}
	return in, nil
}

// otpDelivery: GET /v1/signin/otp/delivery?challenge_id= — how the last code's delivery
// stands, for a client that got "pending": 200 {delivery} or CodeDeliveryFailed.
func (s *Server) otpDelivery(r *http.Request) (api.OTPSendResponse, *api.Error) {
	ctx := r.Context()
	c, e := s.signInChallenge(ctx, r.URL.Query().Get("challenge_id"), s.st.Now())
	if e != nil {
		return api.OTPSendResponse{}, e
	}
	if c.JobID == "" && c.OTP.ID == "" {
		return api.OTPSendResponse{}, &api.Error{Status: http.StatusConflict, Code: api.CodeOTPExpired, Message: "Aucun code envoyé"}
	}
	if c.JobID == "" { // held back by the hourly cap: told like a delivery still trying
		return api.OTPSendResponse{SentTo: c.OTP.Channel.Masked(), Delivery: api.DeliveryPending}, nil
	}
	rep, err := s.opts.Auth.Notifier.Status(ctx, c.JobID)
	if err != nil {
		return api.OTPSendResponse{}, s.authStoreError("delivery status", err)
	}
	out := api.OTPSendResponse{SentTo: c.OTP.Channel.Masked(), Delivery: api.DeliveryPending}
	switch rep.Status {
	case notify.StatusFailed:
		return api.OTPSendResponse{}, deliveryFailed(c.OTP.Channel.Kind)
	case notify.StatusDelivered:
		out.Delivery = api.DeliveryDelivered
	}
	return out, nil
}
