package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// PSCOptions turn on Pro Santé Connect sign-in (docs/psc.md): CIBA pushed to the e-CPS app
// and the browser code flow, the portal being PSC's client.
type PSCOptions struct {
	Client *psc.Client
	// PublicURL is the portal's address as browsers reach it (the code flow's callback).
	PublicURL string
	WaitMax   time.Duration // longest long poll of /v1/signin/psc/ciba/wait (default 25 s)
	// HandoffTTL bounds the browser flow: PSC login page to callback, and callback to the
	// agent's redeem (default 10 min and 60 s).
	LoginTTL, HandoffTTL time.Duration
}

// pscState holds the sign-ins in flight, in memory: an agent waits on the instance that
// started its sign-in (docs/psc.md, "Several instances").
type pscState struct {
	mu       sync.Mutex
	ciba     map[string]*cibaRequest    // by the agent's request id
	browser  map[string]*browserRequest // by the state sent to PSC
	handoffs map[string]*handoff        // by the one-time handoff code
}

func (s *Server) registerPSCRoutes() {
	if o := s.opts.PSC; o != nil {
		def := func(d *time.Duration, v time.Duration) {
			if *d <= 0 {
				*d = v
			}
		}
		def(&o.WaitMax, 25*time.Second)
		def(&o.LoginTTL, 10*time.Minute)
		def(&o.HandoffTTL, time.Minute)
	}
	s.psc = &pscState{ciba: map[string]*cibaRequest{}, browser: map[string]*browserRequest{}, handoffs: map[string]*handoff{}}
	v := api.Version
	s.Handle("POST "+v+"/signin/psc/ciba", s.limited("POST /v1/signin/psc/ciba", route(s.startCIBA)))
	s.Handle("POST "+v+"/signin/psc/ciba/wait", route(s.waitCIBA))
	s.Handle("POST "+v+"/signin/psc/ciba/cancel", route(s.cancelCIBA))
	s.Handle("GET "+v+"/signin/psc/browser", s.limited("GET /v1/signin/psc/browser", s.startBrowser))
	s.Handle("GET "+v+"/signin/psc/browser/callback", http.HandlerFunc(s.browserCallback))
	s.Handle("POST "+v+"/signin/psc/browser/redeem", s.limited("POST /v1/signin/psc/browser/redeem", route(s.redeemHandoff)))
}

// pscClient is the PSC client, or psc_unavailable when the portal has none.
func (s *Server) pscClient() (*psc.Client, *api.Error) {
	if s.opts.PSC == nil || s.opts.PSC.Client == nil {
		return nil, pscError(api.CodePSCUnavailable, "Pro Santé Connect sign-in is not configured on this portal")
	}
	return s.opts.PSC.Client, nil
}

// pscAttempt is what the audit of a PSC sign-in names.
type pscAttempt struct {
	flow, subject, workstation, remote string
}

// pscRefused audits and counts a refused PSC sign-in and returns its API error.
func (s *Server) pscRefused(ctx context.Context, a pscAttempt, err error, userID string) *api.Error {
	code, reason := psc.CodeOf(err), err.Error()
	if errors.Is(err, context.Canceled) {
		code, reason = api.CodePSCCancelled, "cancelled by the agent"
	}
	s.metrics.signins.WithLabelValues(api.MethodPSC, store.ResultRefused, code).Inc()
	s.log.Info("psc sign-in refused", "flow", a.flow, "code", code, "reason", reason, "subject", a.subject,
		"workstation", a.workstation, "remote", a.remote)
	s.audit(ctx, store.AuditEntry{Event: store.AuditSignIn, Result: store.ResultRefused, Code: code,
		UserID: userID, Subject: a.subject, Workstation: a.workstation, Remote: a.remote, Detail: "psc " + a.flow + ": " + reason})
	return pscError(code, "")
}

// pscSignIn maps PSC's identity to the account enrolled with its SubjectNameID (not sub) and
// opens a session as a card sign-in would: an unknown or disabled account is card_unknown
// (the card path's answer), no habilitation is forbidden.
func (s *Server) pscSignIn(ctx context.Context, a pscAttempt, id psc.Identity) (api.SignIn, *api.Error) {
	a.subject = id.NationalID
	u, err := s.st.UserByNationalID(ctx, id.NationalID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return api.SignIn{}, s.pscRefused(ctx, a, &psc.Refusal{Code: api.CodeCardUnknown, Reason: "national id not enrolled"}, "")
	case err != nil:
		s.log.Error("psc sign-in: read user", "err", err)
		return api.SignIn{}, internalError()
	case u.Disabled:
		return api.SignIn{}, s.pscRefused(ctx, a, &psc.Refusal{Code: api.CodeCardUnknown, Reason: "account disabled"}, u.ID)
	case !u.Habilitation:
		return api.SignIn{}, s.pscRefused(ctx, a, &psc.Refusal{Code: api.CodeForbidden, Reason: "no habilitation"}, u.ID)
	}
	detail := id.Summary() + " flow=" + a.flow + " given=" + id.GivenName + " family=" + id.FamilyName
	in, err := s.open(ctx, u, store.NewSession{Method: api.MethodPSC, Workstation: a.workstation,
		ACR: id.ACR, AuthMode: id.AuthMode, IDToken: id.IDToken},
		store.AuditEntry{Subject: id.NationalID, Remote: a.remote, Detail: detail})
	if err != nil {
		s.log.Error("psc sign-in", "err", err)
		return api.SignIn{}, internalError()
	}
	s.log.Info("psc sign-in", "flow", a.flow, "user", u.ID, "session", in.Session.ID, "acr", id.ACR,
		"auth_mode", id.AuthMode, "workstation", a.workstation)
	return in, nil
}

// pscSignedOut ends the holder's PSC session after an explicit sign-out of a PSC session
// (never on idle expiry, PSC's guideline), in the background.
func (s *Server) pscSignedOut(sess store.Session) {
	if sess.Method != api.MethodPSC || s.opts.PSC == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tok, err := s.st.PSCIDToken(ctx, sess.ID)
		if err == nil && tok != "" {
			err = s.opts.PSC.Client.Logout(ctx, tok)
		}
		if err != nil {
			s.log.Warn("psc end_session", "session", sess.ID, "err", err)
		}
		if err := s.st.ForgetPSCIDToken(ctx, sess.ID); err != nil {
			s.log.Warn("psc token", "err", err)
		}
	}()
}

// pscError is the API error of a PSC refusal code (messages are for logs; the agent has
// the French).
func pscError(code, msg string) *api.Error {
	e := &api.Error{Status: http.StatusForbidden, Code: code}
	switch code {
	case api.CodePSCUnavailable:
		e.Status, e.Message = http.StatusServiceUnavailable, "Pro Santé Connect is unreachable"
	case api.CodePSCDenied:
		e.Message = "denied by the holder"
	case api.CodePSCExpired:
		e.Status, e.Message = http.StatusGone, "not approved before the request expired"
	case api.CodePSCCancelled:
		e.Status, e.Message = http.StatusConflict, "cancelled"
	case api.CodePSCACRTooLow, api.CodePSCACRMissing:
		e.Message = "acr refused by the portal's policy"
	case api.CodePSCTokenInvalid:
		e.Status, e.Message = http.StatusBadGateway, "Pro Santé Connect's answer failed verification"
	case api.CodeCardUnknown:
		e.Message = "no account is enrolled for this card"
	case api.CodeForbidden:
		return forbidden()
	case api.CodePSCStateInvalid, api.CodePSCHandoffFailed:
		e.Status, e.Message = http.StatusBadRequest, "no such sign-in in progress (unknown, used or expired)"
	default:
		e.Status, e.Message = http.StatusInternalServerError, "internal error"
	}
	if msg != "" {
		e.Message = msg
	}
	return e
}
