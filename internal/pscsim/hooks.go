package pscsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/luikyv/go-oidc/pkg/goidc"
)

// reqInfo travels in a protocol request's context to the provider's callbacks.
type reqInfo struct {
	r      *http.Request
	pushID string // set by onPush
}

// routes: the provider under the realm path, its authorization endpoint under /wallet/auth,
// the phone page and the simulator's API.
func (s *Server) routes() http.Handler {
	op := s.op.Handler()
	mux := http.NewServeMux()
	mux.Handle(RealmPath+"/", http.StripPrefix(RealmPath, s.withInfo(s.realm(op))))
	authz := s.rewrite(AuthorizePath, ProtocolPath+"/auth", s.withInfo(op))
	mux.Handle(AuthorizePath, authz)
	mux.Handle(AuthorizePath+"/", authz)
	s.phoneRoutes(mux)
	s.apiRoutes(mux)
	return mux
}

// withInfo parses the form (so callbacks see it) and puts the request in its context.
func (s *Server) withInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil {
				writeError(w, goidc.NewError(goidc.ErrorCodeInvalidRequest, "unreadable form"))
				return
			}
		}
		info := &reqInfo{r: r}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequest, info)))
	})
}

// realm dispatches the paths under the issuer that need more than the provider.
func (s *Server) realm(op http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && (r.URL.Path == DiscoveryPath || r.URL.Path == StandardPath):
			s.discovery(w, r, op)
		case r.Method == http.MethodPost && r.URL.Path == ProtocolPath+"/token":
			s.token(w, r, op)
		case r.Method == http.MethodPost && r.URL.Path == ProtocolPath+"/ext/ciba/auth":
			s.ciba(w, r, op)
		default:
			op.ServeHTTP(w, r)
		}
	})
}

// discovery serves the provider's document at both paths, with PSC's authorization
// endpoint outside the issuer.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request, op http.Handler) {
	r2 := r.Clone(r.Context())
	r2.URL.Path = StandardPath
	rec := httptest.NewRecorder()
	op.ServeHTTP(rec, r2)
	var doc map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	doc["authorization_endpoint"] = s.origin + AuthorizePath
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	json.NewEncoder(w).Encode(doc) //nolint:errcheck
}

// rewrite serves public path prefix "from" with the provider's path "to".
func (s *Server) rewrite(from, to string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = to + strings.TrimPrefix(r.URL.Path, from)
		r2.URL.RawPath = ""
		next.ServeHTTP(w, r2)
	})
}

// ciba lets the provider answer, then starts an automatic answer for the new push.
func (s *Server) ciba(w http.ResponseWriter, r *http.Request, op http.Handler) {
	op.ServeHTTP(w, r)
	if info, _ := r.Context().Value(keyRequest).(*reqInfo); info != nil && info.pushID != "" {
		s.scheduleAnswer(info.pushID)
	}
}

// token counts CIBA polls, answers slow_down under the knob and records each answer.
func (s *Server) token(w http.ResponseWriter, r *http.Request, op http.Handler) {
	if r.PostFormValue("grant_type") != GrantCIBA {
		op.ServeHTTP(w, r)
		return
	}
	id := r.PostFormValue("auth_req_id")
	if s.recordPoll(id, time.Now()) {
		writeError(w, goidc.NewError(goidc.ErrorCodeSlowDown, "polling too fast: add 5 seconds to the interval"))
		s.recordAnswer(id, string(goidc.ErrorCodeSlowDown))
		return
	}
	rec := &answerRecorder{ResponseWriter: w}
	s.answerMu.RLock()
	op.ServeHTTP(rec, r)
	s.answerMu.RUnlock()
	answer := "tokens"
	if rec.status != http.StatusOK {
		var e goidc.Error
		json.Unmarshal(rec.body, &e) //nolint:errcheck // an unreadable body is recorded as ""
		answer = string(e.Code)
	}
	s.recordAnswer(id, answer)
}

// answerRecorder keeps the status and the start of the body it passes on.
type answerRecorder struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (a *answerRecorder) WriteHeader(code int) {
	a.status = code
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if len(a.body) < 1024 {
		a.body = append(a.body, b...)
	}
	return a.ResponseWriter.Write(b)
}

func writeError(w http.ResponseWriter, e goidc.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.StatusCode())
	json.NewEncoder(w).Encode(e) //nolint:errcheck
}
