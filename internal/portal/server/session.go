package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// OpenSession creates a session for an authenticated user (card here; password+OTP and PSC
// in their packages) and returns the token, shown once. audit describes the sign-in.
func (s *Server) OpenSession(ctx context.Context, userID, method, workstation string, audit store.AuditEntry) (api.SignIn, error) {
	u, err := s.st.UserByID(ctx, userID)
	if err != nil {
		return api.SignIn{}, err
	}
	return s.openSession(ctx, u, method, workstation, audit)
}

func (s *Server) openSession(ctx context.Context, u store.User, method, workstation string, audit store.AuditEntry) (api.SignIn, error) {
	return s.open(ctx, u, store.NewSession{Method: method, Workstation: workstation}, audit)
}

// open creates the session n describes (method, workstation, PSC's acr …) for u.
func (s *Server) open(ctx context.Context, u store.User, n store.NewSession, audit store.AuditEntry) (api.SignIn, error) {
	token, hash := NewToken()
	audit.Event = store.AuditSignIn
	n.TokenHash, n.UserID, n.Idle, n.Max = hash, u.ID, s.opts.SessionIdle, s.opts.SessionMax
	sess, err := s.st.CreateSession(ctx, n, audit)
	if err != nil {
		return api.SignIn{}, err
	}
	s.metrics.signins.WithLabelValues(n.Method, store.ResultOK, "").Inc()
	v, err := s.viewOf(ctx, sess, u)
	if err != nil {
		return api.SignIn{}, err
	}
	return api.SignIn{Token: token, Session: v}, nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request, sess store.Session) {
	s.respondSession(w, r, http.StatusOK, sess)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, sess store.Session) {
	err := s.st.EndSession(r.Context(), sess.ID, store.EndSignedOut, store.AuditEntry{Event: store.AuditSignOut,
		UserID: sess.UserID, Workstation: sess.Workstation, Remote: r.RemoteAddr})
	if err != nil && !errors.Is(err, store.ErrSessionEnded) {
		s.log.Error("sign out", "err", err)
		WriteError(w, internalError())
		return
	}
	s.hub.wake(sess.ID)
	s.pscSignedOut(sess)
	s.log.Info("signed out", "session", sess.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) profiles(w http.ResponseWriter, r *http.Request, sess store.Session) {
	ps, err := s.st.Profiles(r.Context(), sess.UserID)
	if err != nil {
		s.log.Error("profiles", "err", err)
		WriteError(w, internalError())
		return
	}
	out := api.Profiles{Profiles: []api.Profile{}}
	for _, p := range ps {
		out.Profiles = append(out.Profiles, apiProfile(p))
	}
	out.LastID, _, err = s.st.LastChoice(r.Context(), sess.UserID, sess.Workstation)
	if err != nil {
		s.log.Error("profiles", "err", err)
		WriteError(w, internalError())
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) chooseProfile(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var req api.ChooseProfileRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	if !validText(req.ProfileID, 64) {
		WriteError(w, badRequest("profile_id is required"))
		return
	}
	got, err := s.st.ChooseProfile(r.Context(), sess.ID, req.ProfileID)
	if err != nil {
		WriteError(w, s.storeError("choose profile", err))
		return
	}
	got.IdleExpiresAt = sess.IdleExpiresAt
	s.respondSession(w, r, http.StatusOK, got)
}

// linkPhone links the session to a desk phone of its profile's entity. A phone held by
// another live session is a 409 phone_taken naming the holder, unless takeover is asked: then
// the other session loses it and is told on its event stream.
func (s *Server) linkPhone(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var req api.LinkPhoneRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	if !validText(req.Number, 32) {
		WriteError(w, badRequest("number: 1 to 32 printable characters"))
		return
	}
	u, err := s.st.UserByID(r.Context(), sess.UserID)
	if err != nil {
		WriteError(w, s.storeError("link phone", err))
		return
	}
	got, err := s.st.LinkPhone(r.Context(), store.LinkRequest{SessionID: sess.ID, Number: req.Number,
		Takeover: req.Takeover, ByName: u.DisplayName(), Remote: r.RemoteAddr})
	if err != nil {
		s.metrics.links.WithLabelValues(store.ResultRefused).Inc()
		code := api.CodeOf(s.storeError("", err))
		s.auditRefusal(r, sess, store.AuditLink, code, req.Number)
		WriteError(w, s.storeError("link phone", err))
		return
	}
	s.metrics.links.WithLabelValues(store.ResultOK).Inc()
	if req.Takeover {
		s.hub.wakeAll()
	}
	got.IdleExpiresAt = sess.IdleExpiresAt
	s.respondSession(w, r, http.StatusOK, got)
}

func (s *Server) unlinkPhone(w http.ResponseWriter, r *http.Request, sess store.Session) {
	if err := s.st.UnlinkPhone(r.Context(), sess.ID); err != nil {
		WriteError(w, s.storeError("unlink phone", err))
		return
	}
	sess.Phone, sess.PhoneEntity = "", ""
	s.respondSession(w, r, http.StatusOK, sess)
}

func (s *Server) auditRefusal(r *http.Request, sess store.Session, event, code, detail string) {
	err := s.st.Audit(r.Context(), store.AuditEntry{Event: event, Result: store.ResultRefused, Code: code,
		UserID: sess.UserID, SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr, Detail: detail})
	if err != nil {
		s.log.Error("audit", "err", err)
	}
}

// storeError maps the store's errors to API errors (logging the unexpected ones).
func (s *Server) storeError(op string, err error) *api.Error {
	var taken *store.PhoneTakenError
	switch {
	case errors.As(err, &taken):
		e := &api.Error{Status: http.StatusConflict, Code: api.CodePhoneTaken,
			Message: "phone " + taken.Number + " is linked to another session"}
		if taken.Holder != "" {
			e.Details = map[string]string{"holder": taken.Holder}
		}
		return e
	case errors.Is(err, store.ErrPhoneUnknown):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodePhoneUnknown, Message: "no such phone in the profile's entity"}
	case errors.Is(err, store.ErrProfileNeeded):
		return &api.Error{Status: http.StatusConflict, Code: api.CodeProfileRequired, Message: "choose a profile first"}
	case errors.Is(err, store.ErrSessionEnded):
		return endedError("")
	case errors.Is(err, store.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeProfileUnknown, Message: "no such profile for this user"}
	}
	if op != "" {
		s.log.Error(op, "err", err)
	}
	return internalError()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
