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

// signInCard: POST /v1/signin/card over mutual TLS. The certificate must chain to the
// configured CAs, be valid, allow client authentication and not be revoked; its national id
// must be an enrolled, enabled, habilitated account. Every outcome is audited.
func (s *Server) signInCard(w http.ResponseWriter, r *http.Request) {
	// One sign-in per handshake: an HTTP/1.1 connection closes after the answer.
	w.Header().Set("Connection", "close")
	var req api.CardSignInRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	if !validText(req.Workstation, 128) {
		WriteError(w, badRequest("workstation: 1 to 128 printable characters"))
		return
	}
	var peer []*x509.Certificate
	if r.TLS != nil {
		peer = r.TLS.PeerCertificates
	}
	subject := ""
	if len(peer) > 0 {
		subject = peer[0].Subject.CommonName
	}
	refuse := func(status int, code, msg, reason, userID string) {
		s.metrics.signins.WithLabelValues(api.MethodCard, store.ResultRefused, code).Inc()
		s.log.Info("card sign-in refused", "code", code, "reason", reason, "subject", subject,
			"workstation", req.Workstation, "remote", r.RemoteAddr)
		if err := s.st.Audit(r.Context(), store.AuditEntry{Event: store.AuditSignIn, Result: store.ResultRefused,
			Code: code, UserID: userID, Subject: subject, Workstation: req.Workstation, Remote: r.RemoteAddr,
			Detail: reason}); err != nil {
			s.log.Error("audit", "err", err)
		}
		WriteError(w, &api.Error{Status: status, Code: code, Message: msg})
	}
	if s.opts.Verifier == nil {
		refuse(http.StatusUnauthorized, api.CodeUnauthenticated, "card sign-in is not configured", "no client ca", "")
		return
	}
	if _, err := s.opts.Verifier.Verify(peer); err != nil {
		var ref *certauth.Refusal
		if !errors.As(err, &ref) {
			ref = &certauth.Refusal{Code: api.CodeCertUntrusted, Reason: err.Error()}
		}
		status := http.StatusForbidden
		if ref.Code == api.CodeUnauthenticated {
			status = http.StatusUnauthorized
		}
		msg := "certificate refused"
		if ref.Code == api.CodeUnauthenticated {
			msg = "a card certificate is required"
		}
		refuse(status, ref.Code, msg, ref.Reason, "")
		return
	}
	id, err := cps.FromCertificate(peer[0])
	if err != nil {
		refuse(http.StatusForbidden, api.CodeCardUnknown, "not a CPx card certificate", err.Error(), "")
		return
	}
	subject = id.NationalID
	u, err := s.st.UserByNationalID(r.Context(), id.NationalID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		refuse(http.StatusForbidden, api.CodeCardUnknown, "no account is enrolled for this card", "national id not enrolled", "")
		return
	case err != nil:
		s.log.Error("card sign-in: read user", "err", err)
		WriteError(w, internalError())
		return
	case u.Disabled:
		refuse(http.StatusForbidden, api.CodeCardUnknown, "no account is enrolled for this card", "account disabled", u.ID)
		return
	case !u.Habilitation:
		refuse(http.StatusForbidden, api.CodeForbidden, "not habilitated for this application", "no habilitation", u.ID)
		return
	}
	in, err := s.openSession(r.Context(), u, api.MethodCard, req.Workstation,
		store.AuditEntry{Subject: subject, Remote: r.RemoteAddr, Detail: "card serial " + id.SerialHex})
	if err != nil {
		s.log.Error("card sign-in", "err", err)
		WriteError(w, internalError())
		return
	}
	s.log.Info("card sign-in", "user", u.ID, "session", in.Session.ID, "workstation", req.Workstation)
	WriteJSON(w, http.StatusCreated, in)
}
