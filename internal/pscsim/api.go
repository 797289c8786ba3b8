package pscsim

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Selector picks pushes to answer: by auth_req_id, binding code, national id, or all
// pending ones. Empty fields match anything; an empty Selector without All matches nothing.
type Selector struct {
	AuthReqID  string `json:"auth_req_id"`
	Code       string `json:"code"`
	NationalID string `json:"national_id"`
	All        bool   `json:"all"`
}

func (sel Selector) empty() bool {
	return sel.AuthReqID == "" && sel.Code == "" && sel.NationalID == "" && !sel.All
}

func (sel Selector) match(p Push) bool {
	return (sel.AuthReqID == "" || p.AuthReqID == sel.AuthReqID) &&
		(sel.Code == "" || p.BindingCode == sel.Code) &&
		(sel.NationalID == "" || p.NationalID == sel.NationalID)
}

// Answer approves (or denies) every pending push sel matches and gives those answered.
// None matching gives ErrUnknownPush.
func (s *Server) Answer(sel Selector, approve bool) ([]Push, error) {
	if sel.empty() {
		return nil, ErrUnknownPush
	}
	var done []Push
	var errs []error
	for _, p := range s.Pending() {
		if !sel.match(p) {
			continue
		}
		answer := s.Deny
		if approve {
			answer = s.Approve
		}
		if err := answer(p.AuthReqID); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, p)
	}
	if len(done) == 0 && len(errs) == 0 {
		return nil, ErrUnknownPush
	}
	return done, errors.Join(errs...)
}

// apiRoutes: the simulator's own JSON API (for `cpx-pscsim approve|deny` and scripts).
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+apiPath+"/pushes", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Pushes())
	})
	mux.HandleFunc("GET "+apiPath+"/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET "+apiPath+"/knobs", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Knobs())
	})
	mux.HandleFunc("PUT "+apiPath+"/knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&k); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_knobs"})
			return
		}
		if err := s.SetKnobs(k); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_knobs", "detail": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, k)
	})
	mux.HandleFunc("POST "+apiPath+"/approve", func(w http.ResponseWriter, r *http.Request) { s.apiAnswer(w, r, true) })
	mux.HandleFunc("POST "+apiPath+"/deny", func(w http.ResponseWriter, r *http.Request) { s.apiAnswer(w, r, false) })
}

func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request, approve bool) {
	var sel Selector
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&sel); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_selector"})
		return
	}
	done, err := s.Answer(sel, approve)
	switch {
	case errors.Is(err, ErrUnknownPush) && len(done) == 0:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no_pending_push"})
	case err != nil && len(done) == 0:
		writeJSON(w, http.StatusConflict, map[string]string{"error": "not_answered", "detail": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"answered": done})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}
