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
func (s *Server) sendOTP(w http.ResponseWriter, r *http.Request) {
	var req api.OTPSendRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	ctx, now := r.Context(), s.st.Now()
	c, e := s.signInChallenge(ctx, req.ChallengeID, now)
	if e != nil {
		WriteError(w, e)
		return
	}
	chs, err := s.st.ActiveChannels(ctx, c.UserID)
	if err != nil {
		WriteError(w, s.authStoreError("channels", err))
		return
	}
	ch, ok := pickChannel(chs, req.Kind)
	if !ok {
		WriteError(w, &api.Error{Status: http.StatusBadRequest, Code: api.CodeChannelInvalid,
			Message: "Ce canal n'est pas activé pour votre compte"})
		return
	}
	s.issueAndSend(w, r, c, ch, store.AuditOTPSend)
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
// it on ch, answering OTPSendResponse or the refusal.
func (s *Server) issueAndSend(w http.ResponseWriter, r *http.Request, c store.Challenge, ch otp.Channel, event string) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	prev := c
	var code string
	var err error
	if c.OTP.ID == "" {
		c.OTP, code, err = a.OTP.Issue(ch, now)
	} else {
		c.OTP.Channel = ch
		code, err = a.OTP.Resend(&c.OTP, now)
	}
	audit := store.AuditEntry{Event: event, UserID: c.UserID, Workstation: c.Workstation, Remote: r.RemoteAddr,
		Detail: ch.Kind + " " + ch.Masked()}
	if err != nil {
		ae := otp.APIError(err, now)
		audit.Result, audit.Code = store.ResultRefused, ae.Code
		s.audit(ctx, audit)
		WriteError(w, ae)
		return
	}
	if err := s.st.UpdateChallenge(ctx, prev, c, audit); err != nil {
		if errors.Is(err, store.ErrChanged) {
			WriteError(w, otp.APIError(&otp.Error{Err: otp.ErrResendTooSoon, RetryAt: now.Add(time.Second)}, now))
			return
		}
		WriteError(w, s.authStoreError("challenge", err))
		return
	}
	cfg := a.OTP.Config()
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
		WriteError(w, e)
		return
	}
	WriteJSON(w, http.StatusOK, api.OTPSendResponse{SentTo: ch.Masked(), Delivery: status,
		ResendAfter: int(cfg.ResendAfter / time.Second)})
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
func (s *Server) verifyOTP(w http.ResponseWriter, r *http.Request) {
	var req api.OTPVerifyRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	ctx, now := r.Context(), s.st.Now()
	c, e := s.signInChallenge(ctx, req.ChallengeID, now)
	if e != nil {
		WriteError(w, e)
		return
	}
	if e := s.checkCode(r, c, req.Code); e != nil {
		WriteError(w, e)
		return
	}
	u, err := s.st.CredentialsOf(ctx, c.UserID)
	if err != nil {
		WriteError(w, s.authStoreError("otp sign-in", err))
		return
	}
	if u.Disabled || !u.Habilitation {
		s.refuseSignIn(r, u.ID, u.Identifiant, c.Workstation, api.CodeForbidden, "no habilitation or disabled")
		WriteError(w, forbidden())
		return
	}
	in, err := s.openOTPSession(ctx, r, u.ID, u.Identifiant, c.Workstation, "otp "+c.OTP.Channel.Kind)
	if err != nil {
		WriteError(w, s.authStoreError("otp sign-in", err))
		return
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
	WriteJSON(w, http.StatusOK, in)
}

// otpDelivery: GET /v1/signin/otp/delivery?challenge_id= — how the last code's delivery
// stands, for a client that got "pending": 200 {delivery} or CodeDeliveryFailed.
func (s *Server) otpDelivery(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, e := s.signInChallenge(ctx, r.URL.Query().Get("challenge_id"), s.st.Now())
	if e != nil {
		WriteError(w, e)
		return
	}
	if c.JobID == "" {
		WriteError(w, &api.Error{Status: http.StatusConflict, Code: api.CodeOTPExpired, Message: "Aucun code envoyé"})
		return
	}
	rep, err := s.opts.Auth.Notifier.Status(ctx, c.JobID)
	if err != nil {
		WriteError(w, s.authStoreError("delivery status", err))
		return
	}
	switch rep.Status {
	case notify.StatusFailed:
		WriteError(w, deliveryFailed(c.OTP.Channel.Kind))
		return
	case notify.StatusDelivered:
		WriteJSON(w, http.StatusOK, api.OTPSendResponse{SentTo: c.OTP.Channel.Masked(), Delivery: api.DeliveryDelivered})
		return
	}
	WriteJSON(w, http.StatusOK, api.OTPSendResponse{SentTo: c.OTP.Channel.Masked(), Delivery: api.DeliveryPending})
}
