package server

import (
	"crypto/x509"
	"errors"
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/certauth"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// cardRoute serves POST /v1/signin/card (201 and the new session). One sign-in per
// handshake: an HTTP/1.1 connection closes after the answer.
func (s *Server) cardRoute() http.HandlerFunc {
	h := routeWith(http.StatusCreated, s.signInCard)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		h(w, r)
	}
}

// cardAttempt is what a card sign-in's refusals are audited and logged with.
type cardAttempt struct {
	r           *http.Request
	peer        []*x509.Certificate
	subject     string // the certificate's common name, then the card's national id
	workstation string
}

// signInCard: over mutual TLS. The certificate must chain to the configured CAs, be valid,
// allow client authentication and not be revoked; its national id must be an enrolled,
// enabled, habilitated account. Every outcome is audited.
func (s *Server) signInCard(r *http.Request, req api.CardSignInRequest) (api.SignIn, *api.Error) {
	if !validText(req.Workstation, 128) {
		return api.SignIn{}, badRequest("workstation: 1 to 128 printable characters")
	}
	a := &cardAttempt{r: r, workstation: req.Workstation}
	if r.TLS != nil {
		a.peer = r.TLS.PeerCertificates
	}
	if len(a.peer) > 0 {
		a.subject = a.peer[0].Subject.CommonName
	}
	id, e := s.cardIdentity(a)
	if e != nil {
		return api.SignIn{}, e
	}
	u, e := s.cardAccount(a, id.NationalID)
	if e != nil {
		return api.SignIn{}, e
	}
	in, err := s.openSession(r.Context(), u, api.MethodCard, req.Workstation,
		store.AuditEntry{Subject: a.subject, Remote: r.RemoteAddr, Detail: "card serial " + id.SerialHex})
	if err != nil {
		return api.SignIn{}, s.storeError("card sign-in", err)
	}
	s.log.Info("card sign-in", "user", u.ID, "session", in.Session.ID, "workstation", req.Workstation)
	return in, nil
}

// cardIdentity verifies the client certificate and reads the card holder's identity from it.
func (s *Server) cardIdentity(a *cardAttempt) (cps.Identity, *api.Error) {
	if s.opts.Verifier == nil {
		return cps.Identity{}, s.refuseCard(a, http.StatusUnauthorized, api.CodeUnauthenticated,
			"card sign-in is not configured", "no client ca", "")
	}
	if _, err := s.opts.Verifier.Verify(a.peer); err != nil {
		var ref *certauth.Refusal
		if !errors.As(err, &ref) {
			ref = &certauth.Refusal{Code: api.CodeCertUntrusted, Reason: err.Error()}
		}
		status, msg := http.StatusForbidden, "certificate refused"
		if ref.Code == api.CodeUnauthenticated {
			status, msg = http.StatusUnauthorized, "a card certificate is required"
		}
		return cps.Identity{}, s.refuseCard(a, status, ref.Code, msg, ref.Reason, "")
	}
	id, err := cps.FromCertificate(a.peer[0])
	if err != nil {
		return cps.Identity{}, s.refuseCard(a, http.StatusForbidden, api.CodeCardUnknown,
			"not a CPx card certificate", err.Error(), "")
	}
	a.subject = id.NationalID
	return id, nil
}

// cardAccount finds the enabled, habilitated account enrolled for the card's national id.
func (s *Server) cardAccount(a *cardAttempt, nationalID string) (store.User, *api.Error) {
	const unknown = "no account is enrolled for this card"
	u, err := s.st.UserByNationalID(a.r.Context(), nationalID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return u, s.refuseCard(a, http.StatusForbidden, api.CodeCardUnknown, unknown, "national id not enrolled", "")
	case err != nil:
		return u, s.storeError("card sign-in: read user", err)
	case u.Disabled:
		return u, s.refuseCard(a, http.StatusForbidden, api.CodeCardUnknown, unknown, "account disabled", u.ID)
	case !u.Habilitation:
		return u, s.refuseCard(a, http.StatusForbidden, api.CodeForbidden, "not habilitated for this application",
			"no habilitation", u.ID)
	}
	return u, nil
}

// refuseCard counts, logs and audits a refused card sign-in and returns its answer.
func (s *Server) refuseCard(a *cardAttempt, status int, code, msg, reason, userID string) *api.Error {
	s.metrics.signins.WithLabelValues(api.MethodCard, store.ResultRefused, code).Inc()
	s.log.Info("card sign-in refused", "code", code, "reason", reason, "subject", a.subject,
		"workstation", a.workstation, "remote", a.r.RemoteAddr)
	if err := s.st.Audit(a.r.Context(), store.AuditEntry{Event: store.AuditSignIn, Result: store.ResultRefused,
		Code: code, UserID: userID, Subject: a.subject, Workstation: a.workstation, Remote: a.r.RemoteAddr,
		Detail: reason}); err != nil {
		s.log.Error("audit", "err", err)
	}
	return &api.Error{Status: status, Code: code, Message: msg}
}
