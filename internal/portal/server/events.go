package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// hub wakes the event streams of this instance when something happened to their session; the
// events themselves are in the database, so streams also see what other instances (or the
// admin command) did, within PollInterval.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

// MaxStreamsPerSession is how many event streams one session may hold open on one instance
// (the agent holds one; a reconnection may overlap the stream it replaces for a moment).
const MaxStreamsPerSession = 4

// subscribe adds a stream of session id, or answers ok = false when the session already holds
// MaxStreamsPerSession.
func (h *hub) subscribe(id string) (wake chan struct{}, cancel func(), ok bool) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if len(h.subs[id]) >= MaxStreamsPerSession {
		h.mu.Unlock()
		return nil, nil, false
	}
	if h.subs[id] == nil {
		h.subs[id] = map[chan struct{}]struct{}{}
	}
	h.subs[id][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[id], ch)
		if len(h.subs[id]) == 0 {
			delete(h.subs, id)
		}
		h.mu.Unlock()
	}, true
}

func (h *hub) wake(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for ch := range m {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// events: GET /v1/session/events, a Server-Sent Events stream of api.Event (event: <type>,
// id: <n>, data: <json>). It sends phone_taken_over, session_expiring once before the end, and
// a final session_expired / session_revoked / signed_out, then closes. A comment line every
// 15 s keeps proxies from closing it. Reading it does not count as activity.
func (s *Server) events(w http.ResponseWriter, r *http.Request, sess store.Session) {
	fl, ok := w.(http.Flusher)
	if !ok {
		WriteError(w, internalError())
		return
	}
	last, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if err != nil {
		if last, err = s.st.LastEventID(r.Context(), sess.ID); err != nil {
			WriteError(w, s.storeError("events", err))
			return
		}
	}
	wake, unsub, ok := s.hub.subscribe(sess.ID)
	if !ok {
		WriteError(w, &api.Error{Status: http.StatusTooManyRequests, Code: api.CodeRateLimited,
			Message: "too many event streams open for this session"})
		return
	}
	defer unsub()
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": cpx-portal events\n\n")
	fl.Flush()
	st := &streamState{last: last}
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		done, err := s.pump(w, r, sess.ID, st)
		if err != nil || done {
			return
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-wake:
		case <-tick.C:
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		}
	}
}

type streamState struct {
	last   int64
	warned bool
}

// pump writes the queued events and the expiry warning; done is true once the session ended.
func (s *Server) pump(w http.ResponseWriter, r *http.Request, id string, st *streamState) (bool, error) {
	final, err := s.sendQueued(w, r, id, st)
	if err != nil || final {
		return true, err
	}
	sess, err := s.st.SessionByID(r.Context(), id)
	if err != nil {
		return true, err
	}
	now := s.st.Now()
	if !sess.EndedAt.IsZero() {
		// Ended between the two reads: its final event is queued by now.
		final, err := s.sendQueued(w, r, id, st)
		if err == nil && !final {
			err = writeEvent(w, "", api.Event{Type: endEventType(sess.EndReason), At: sess.EndedAt})
		}
		return true, err
	}
	end := sess.ExpiresAt
	if sess.IdleExpiresAt.Before(end) {
		end = sess.IdleExpiresAt
	}
	if !now.Before(end) {
		// Past a deadline the sweeper has not reached yet: end it now so the event is queued.
		err := s.st.EndSession(r.Context(), id, store.EndExpired, store.AuditEntry{Event: store.AuditExpire,
			UserID: sess.UserID, Workstation: sess.Workstation})
		if err != nil && !errors.Is(err, store.ErrSessionEnded) {
			return true, err
		}
		return s.pump(w, r, id, st)
	}
	if !st.warned && end.Sub(now) <= s.opts.ExpiryWarning {
		st.warned = true
		return false, writeEvent(w, "", api.Event{Type: api.EventExpiring, At: now, Expires: end})
	}
	if st.warned && end.Sub(now) > s.opts.ExpiryWarning {
		st.warned = false // activity pushed the idle deadline back
	}
	return false, nil
}

// sendQueued writes the events queued after st.last; final is true when one ended the session.
func (s *Server) sendQueued(w http.ResponseWriter, r *http.Request, id string, st *streamState) (bool, error) {
	evs, err := s.st.Events(r.Context(), id, st.last)
	if err != nil {
		return true, err
	}
	for _, e := range evs {
		st.last = e.ID
		if err := writeEvent(w, itoa(e.ID), api.Event{Type: e.Type, At: e.At, Phone: e.Phone, By: e.By}); err != nil {
			return true, err
		}
		if e.Type == store.EventExpired || e.Type == store.EventRevoked || e.Type == store.EventSignedOut {
			return true, nil
		}
	}
	return false, nil
}

func endEventType(reason string) string {
	switch reason {
	case store.EndExpired:
		return api.EventExpired
	case store.EndRevoked:
		return api.EventRevoked
	}
	return api.EventSignedOut
}

func writeEvent(w http.ResponseWriter, id string, e api.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if id != "" {
		if _, err := fmt.Fprintf(w, "id: %s\n", id); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b)
	return err
}
