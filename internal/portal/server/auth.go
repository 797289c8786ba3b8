package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// NewToken returns a session token (32 random bytes, base64url) and the SHA-256 the store keeps.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type ctxKey struct{}

// SessionFrom returns the session of an Authed request.
func SessionFrom(ctx context.Context) (store.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(store.Session)
	return s, ok
}

// Authed wraps h: the request must carry "Authorization: Bearer <token>" of a live session,
// whose idle deadline then moves on. The session is in the context (SessionFrom).
func (s *Server) Authed(h func(http.ResponseWriter, *http.Request, store.Session)) http.Handler {
	return s.authed(h, true)
}

func (s *Server) authedNoTouch(h func(http.ResponseWriter, *http.Request, store.Session)) http.Handler {
	return s.authed(h, false)
}

func (s *Server) authed(h func(http.ResponseWriter, *http.Request, store.Session), touch bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, aerr := s.sessionOf(r)
		if aerr != nil {
			WriteError(w, aerr)
			return
		}
		if touch {
			idle, err := s.st.Touch(r.Context(), sess.ID, s.opts.SessionIdle)
			if err != nil {
				s.log.Error("touch session", "err", err)
				WriteError(w, internalError())
				return
			}
			if idle.Before(sess.ExpiresAt) {
				sess.IdleExpiresAt = idle
			} else {
				sess.IdleExpiresAt = sess.ExpiresAt
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)), sess)
	})
}

// sessionOf finds the live session of the request's bearer token. A session past a timeout
// that the sweeper has not ended yet is ended here.
func (s *Server) sessionOf(r *http.Request) (store.Session, *api.Error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return store.Session{}, unauth("missing bearer token")
	}
	sess, err := s.st.SessionByToken(r.Context(), HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, unauth("unknown session")
	}
	if err != nil {
		s.log.Error("read session", "err", err)
		return store.Session{}, internalError()
	}
	if !sess.EndedAt.IsZero() {
		return store.Session{}, endedError(sess.EndReason)
	}
	if !sess.Live(s.st.Now()) {
		err := s.st.EndSession(r.Context(), sess.ID, store.EndExpired,
			store.AuditEntry{Event: store.AuditExpire, UserID: sess.UserID, Workstation: sess.Workstation})
		if err != nil && !errors.Is(err, store.ErrSessionEnded) {
			s.log.Error("end expired session", "err", err)
		}
		s.hub.wake(sess.ID)
		return store.Session{}, endedError(store.EndExpired)
	}
	return sess, nil
}

func unauth(msg string) *api.Error {
	return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthenticated, Message: msg}
}

func endedError(reason string) *api.Error {
	switch reason {
	case store.EndExpired:
		return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeSessionExpired, Message: "session expired"}
	case store.EndRevoked:
		return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeSessionRevoked, Message: "session revoked"}
	}
	return unauth("session signed out")
}

// view builds the API form of a session with the actions it still owes.
func (s *Server) view(ctx context.Context, sess store.Session) (api.Session, error) {
	u, err := s.st.UserByID(ctx, sess.UserID)
	if err != nil {
		return api.Session{}, err
	}
	return s.viewOf(ctx, sess, u)
}

// viewOf is view with the user already read.
func (s *Server) viewOf(ctx context.Context, sess store.Session, u store.User) (api.Session, error) {
	var err error
	out := api.Session{ID: sess.ID, Method: sess.Method, Workstation: sess.Workstation, Phone: sess.Phone,
		CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt, IdleExpiresAt: sess.IdleExpiresAt,
		ACR: sess.ACR, AuthMode: sess.AuthMode,
		User: api.User{ID: u.ID, NationalID: u.NationalID, Identifiant: u.Identifiant,
			GivenName: u.GivenName, FamilyName: u.FamilyName},
		RequiredActions: []string{}}
	if sess.ProfileID != "" {
		ps, err := s.st.Profiles(ctx, u.ID)
		if err != nil {
			return api.Session{}, err
		}
		for _, p := range ps {
			if p.ID == sess.ProfileID {
				ap := apiProfile(p)
				out.Profile = &ap
			}
		}
	}
	if out.Profile == nil {
		out.RequiredActions = append(out.RequiredActions, api.ActionChooseProfile)
	}
	if sess.Phone == "" {
		out.RequiredActions = append(out.RequiredActions, api.ActionLinkPhone)
	}
	more, err := s.opts.CredentialActions(ctx, u.ID)
	if err != nil {
		return api.Session{}, err
	}
	out.RequiredActions = append(out.RequiredActions, more...)
	_, out.LastPhone, err = s.st.LastChoice(ctx, u.ID, sess.Workstation)
	return out, err
}

func apiProfile(p store.Profile) api.Profile {
	return api.Profile{ID: p.ID, Label: p.Label, Entity: api.Entity{ID: p.EntityID, Name: p.EntityName}}
}

// respondSession writes the session view, or a 500.
func (s *Server) respondSession(w http.ResponseWriter, r *http.Request, status int, sess store.Session) {
	v, err := s.view(r.Context(), sess)
	if err != nil {
		s.log.Error("session view", "err", err)
		WriteError(w, internalError())
		return
	}
	WriteJSON(w, status, v)
}
