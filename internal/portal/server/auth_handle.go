package server

import (
	"context"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// The card sign-in, password, OTP, channel and recovery routes are written as "request →
// answer or refusal"; the adapters below decode the JSON body (invalid_request when it is not
// the expected JSON) and write the answer with 200 (or the status of routeWith), or the
// *api.Error with its status.

// handle adapts a route without a request body.
func handle[Resp any](h func(*http.Request) (Resp, *api.Error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, e := h(r)
		answer(w, out, e)
	}
}

// route adapts a route whose request is the JSON body Req.
func route[Req, Resp any](h func(*http.Request, Req) (Resp, *api.Error)) http.HandlerFunc {
	return routeWith(http.StatusOK, h)
}

// routeWith is route answering status on success (201 for a card sign-in's new session).
func routeWith[Req, Resp any](status int, h func(*http.Request, Req) (Resp, *api.Error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		var out Resp
		e := Decode(r, &req)
		if e == nil {
			out, e = h(r, req)
		}
		answerWith(w, status, out, e)
	}
}

// inSession is route for the routes of a signed-in session (Server.Authed).
func inSession[Req, Resp any](h func(*http.Request, store.Session, Req) (Resp, *api.Error)) func(http.ResponseWriter, *http.Request, store.Session) {
	return func(w http.ResponseWriter, r *http.Request, sess store.Session) {
		route(func(r *http.Request, req Req) (Resp, *api.Error) { return h(r, sess, req) })(w, r)
	}
}

// answer writes out with 200, or e when it is set.
func answer[Resp any](w http.ResponseWriter, out Resp, e *api.Error) {
	answerWith(w, http.StatusOK, out, e)
}

// answerWith writes out with status, or e when it is set.
func answerWith[Resp any](w http.ResponseWriter, status int, out Resp, e *api.Error) {
	if e != nil {
		WriteError(w, e)
		return
	}
	WriteJSON(w, status, out)
}

// atLeast makes h take at least d before its answer goes out, so that what it did (a code
// sent or not) cannot be told by timing.
func atLeast(d time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h(w, r)
		time.Sleep(d - time.Since(start))
	}
}

// sessionAnswer is the session view that routes changing the session's account answer.
func (s *Server) sessionAnswer(ctx context.Context, sess store.Session) (api.Session, *api.Error) {
	v, err := s.view(ctx, sess)
	if err != nil {
		s.log.Error("session view", "err", err)
		return api.Session{}, internalError()
	}
	return v, nil
}
