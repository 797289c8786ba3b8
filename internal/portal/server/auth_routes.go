package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// AuthOptions turn on identifiant + password + OTP sign-in, OTP channels and account
// recovery (docs/auth.md). The clock is the store's (Store.SetClock in tests).
type AuthOptions struct {
	Password password.Config
	Hasher   *password.Hasher
	OTP      *otp.Manager
	Captcha  *otp.Captcha
	Notifier *notify.Notifier
	// Key (≥ 32 bytes, from the OS keyring) picks the decoy questions of unknown names.
	Key   []byte
	Phone otp.PhoneOptions
	// DeliveryWait is how long a send waits for the delivery's outcome before answering
	// "pending" (default 5 s); a failure within it is api.CodeDeliveryFailed.
	DeliveryWait time.Duration
	ChallengeTTL time.Duration // time to finish the OTP step after the password (default 15 min)
	DeviceTTL    time.Duration // "remember this workstation" (default 24 h)
	LinkTTL      time.Duration // recovery links (default 15 min)
	RecoveryTTL  time.Duration // time to answer the secret question (default 10 min)
	// LinkURL prefixes the token in e-mailed recovery links: ResetLinkPrefix of the portal's
	// public address, e.g. "https://portail.example/reinitialisation?jeton=", which opens the
	// link's web page (web_reset.go). Default: ResetLinkPrefix("https://localhost:8443").
	LinkURL string
	Service string // product name in messages (default SI-SAMU)
	Support string // how to reach the support, in messages
	// CodesPerHour caps the codes sent to one account in an hour, whatever the channel or
	// the flow (default 10); past it the answers stay the same but nothing is sent.
	CodesPerHour int
	// RateLimit throttles the password, OTP and recovery routes per client address
	// (ratelimit.go; zero value: off).
	RateLimit RateLimit
}

func (o *AuthOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.DeliveryWait, 5*time.Second)
	def(&o.ChallengeTTL, 15*time.Minute)
	def(&o.DeviceTTL, otp.DeviceTTL)
	def(&o.LinkTTL, otp.LinkTTL)
	def(&o.RecoveryTTL, 10*time.Minute)
	if o.CodesPerHour <= 0 {
		o.CodesPerHour = 10
	}
	if o.LinkURL == "" {
		o.LinkURL = ResetLinkPrefix("https://localhost:8443")
	}
}

// registerAuthRoutes adds the password, OTP, channel and recovery routes when Options.Auth is
// set, and makes the sessions' required actions follow the password rules (expiry, secret
// question).
func (s *Server) registerAuthRoutes() {
	a := s.opts.Auth
	if a == nil {
		return
	}
	a.defaults()
	if a.RateLimit.On() {
		s.limiter = newLimiter(a.RateLimit)
	}
	s.opts.CredentialActions = s.st.AuthCredentialActions(a.Password.MaxAge)
	s.opts.PasswordPolicy = a.Password.API()
	s.opts.PasswordPolicy.LinkTTLMinutes = int(a.LinkTTL / time.Minute)
	v := api.Version
	s.Handle("POST "+v+"/signin/password", s.limited("POST /v1/signin/password", route(s.signInPassword)))
	s.Handle("POST "+v+"/signin/otp/send", s.limited("POST /v1/signin/otp/send", route(s.sendOTP)))
	s.Handle("POST "+v+"/signin/otp/verify", s.limited("POST /v1/signin/otp/verify", route(s.verifyOTP)))
	s.Handle("GET "+v+"/signin/otp/delivery", handle(s.otpDelivery))
	s.Handle("PUT "+v+"/session/password", s.Authed(inSession(s.setPassword)))
	s.Handle("PUT "+v+"/session/secret-question", s.Authed(inSession(s.setSecretQuestion)))
	s.Handle("GET "+v+"/session/channels", s.Authed(s.listChannels))
	s.Handle("POST "+v+"/session/channels/test", s.Authed(inSession(s.testChannel)))
	s.Handle("POST "+v+"/session/channels/validate", s.Authed(inSession(s.validateChannel)))
	s.Handle("DELETE "+v+"/session/channels/{kind}", s.Authed(s.removeChannel))
	s.Handle("GET "+v+"/recovery/captcha", s.limited("GET /v1/recovery/captcha", handle(s.captcha)))
	s.Handle("POST "+v+"/recovery/start", s.limited("POST /v1/recovery/start", route(s.recoveryStart)))
	s.Handle("POST "+v+"/recovery/answer", s.limited("POST /v1/recovery/answer", route(s.recoveryAnswer)))
	s.Handle("POST "+v+"/recovery/otp", s.limited("POST /v1/recovery/otp", atLeast(recoveryPad, route(s.recoveryOTP))))
	s.Handle("POST "+v+"/recovery/link", s.limited("POST /v1/recovery/link", route(s.linkInfo)))
	s.Handle("POST "+v+"/recovery/link/resend", s.limited("POST /v1/recovery/link/resend", route(s.linkResend)))
	s.Handle("POST "+v+"/recovery/reset", s.limited("POST /v1/recovery/reset", route(s.resetPassword)))
	s.registerResetPage()
}

// audit writes an audit line, logging (never failing on) a write error.
func (s *Server) audit(ctx context.Context, e store.AuditEntry) {
	if err := s.st.Audit(ctx, e); err != nil {
		s.log.Error("audit", "event", e.Event, "err", err)
	}
}

// keyed is an HMAC of parts under the auth key (decoy choices).
func (s *Server) keyed(parts ...string) []byte {
	m := hmac.New(sha256.New, s.opts.Auth.Key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// send queues a message and waits up to DeliveryWait for its outcome: the job id and
// DeliveryPending or DeliveryDelivered, or CodeDeliveryFailed.
func (s *Server) send(ctx context.Context, m notify.Message) (string, string, *api.Error) {
	a := s.opts.Auth
	m.Data.Service, m.Data.Support = a.Service, a.Support
	id, err := a.Notifier.Send(ctx, m)
	if err != nil {
		s.log.Error("queue message", "template", m.Template, "channel", m.Channel, "err", err)
		return "", "", deliveryFailed(m.Channel)
	}
	rep, err := a.Notifier.Wait(ctx, id, a.DeliveryWait)
	if err != nil {
		s.log.Error("delivery status", "job", id, "err", err)
		return id, api.DeliveryPending, nil
	}
	switch rep.Status {
	case notify.StatusFailed:
		return id, "", deliveryFailed(m.Channel)
	case notify.StatusDelivered:
		return id, api.DeliveryDelivered, nil
	}
	return id, api.DeliveryPending, nil
}

func deliveryFailed(channel string) *api.Error {
	msg := "Le message n'a pas pu être envoyé, réessayez ou choisissez un autre canal"
	if channel == api.ChannelSMS {
		msg = "Le SMS n'a pas pu être envoyé, réessayez ou choisissez un autre canal"
	}
	return &api.Error{Status: http.StatusBadGateway, Code: api.CodeDeliveryFailed, Message: msg}
}

// authStoreError maps store errors of the auth routes (logging unexpected ones).
func (s *Server) authStoreError(op string, err error) *api.Error {
	if errors.Is(err, store.ErrNotFound) {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "not found"}
	}
	s.log.Error(op, "err", err)
	return internalError()
}

func forbidden() *api.Error {
	return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden,
		Message: "Vous n'avez pas les autorisations requises pour vous connecter sur cette application"}
}
