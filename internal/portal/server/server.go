// Package server is cpx-portal's HTTPS API (/v1, see docs/openapi.yaml): card sign-in over
// mutual TLS (the client certificate is requested, not required, and verified by the handler so
// a refusal is a stable JSON error code and an audit line rather than a TLS alert), sessions
// with opaque tokens stored hashed, profiles, desk-phone links with takeover, a per-session
// event stream (SSE), health, readiness and Prometheus metrics.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/certauth"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// Options configure a Server.
type Options struct {
	Store    *store.Store
	Verifier *certauth.Verifier
	Log      *slog.Logger

	SessionIdle   time.Duration // idle timeout (default 30 min)
	SessionMax    time.Duration // absolute timeout (default 12 h)
	ExpiryWarning time.Duration // session_expiring is sent this long before the end (default 5 min)
	SweepInterval time.Duration // expiry sweeper period (default 30 s)
	PollInterval  time.Duration // event streams look for news this often (default 1 s)

	// CredentialActions says which first-login steps the account's credentials still owe
	// (set_password, change_password, set_otp_channels …). Default: Store.CredentialActions.
	CredentialActions func(ctx context.Context, userID string) ([]string, error)
	// PasswordPolicy is served at GET /v1/password/policy.
	PasswordPolicy api.PasswordPolicy
	// Registry receives the metrics (default: a new registry). They are served by
	// MetricsHandler, for a listener of their own (cpx-portal's metrics_listen), and at
	// /metrics on the API's port only when MetricsToken is set, to requests that bear it.
	Registry     *prometheus.Registry
	MetricsToken string
	// Auth turns on password + OTP sign-in, OTP channels and recovery (auth_routes.go).
	Auth *AuthOptions
	// PSC turns on Pro Santé Connect sign-in (psc.go); without it the PSC routes answer
	// psc_unavailable.
	PSC *PSCOptions
}

// Server is the portal API.
type Server struct {
	opts    Options
	st      *store.Store
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	hub     *hub
	limiter *limiter // nil when AuthOptions.RateLimit is off
	psc     *pscState

	closing   chan struct{}
	closeOnce sync.Once
}

// New builds a server. Register more routes with Handle before serving.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.SessionIdle, 30*time.Minute)
	def(&o.SessionMax, 12*time.Hour)
	def(&o.ExpiryWarning, 5*time.Minute)
	def(&o.SweepInterval, 30*time.Second)
	def(&o.PollInterval, time.Second)
	if o.CredentialActions == nil {
		o.CredentialActions = o.Store.CredentialActions
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	s := &Server{opts: o, st: o.Store, log: o.Log, mux: http.NewServeMux(), hub: newHub(),
		closing: make(chan struct{})}
	s.metrics = newMetrics(o.Registry, o.Store)
	s.routes()
	return s
}

func (s *Server) routes() {
	v := api.Version
	s.Handle("POST "+v+"/signin/card", s.cardRoute())
	s.Handle("GET "+v+"/session", s.Authed(s.getSession))
	s.Handle("DELETE "+v+"/session", s.Authed(s.signOut))
	s.Handle("GET "+v+"/session/profiles", s.Authed(s.profiles))
	s.Handle("PUT "+v+"/session/profile", s.Authed(s.chooseProfile))
	s.Handle("PUT "+v+"/session/phone", s.Authed(s.linkPhone))
	s.Handle("DELETE "+v+"/session/phone", s.Authed(s.unlinkPhone))
	s.Handle("GET "+v+"/session/events", s.authedNoTouch(s.events))
	s.Handle("GET "+v+"/password/policy", http.HandlerFunc(s.passwordPolicy))
	s.registerAuthRoutes()
	s.registerPSCRoutes()
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.ready)
	if s.opts.MetricsToken != "" {
		s.mux.Handle("GET /metrics", bearerOnly(s.opts.MetricsToken, s.MetricsHandler()))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such route"})
	})
}

// Handle adds a route (Go 1.22 pattern, e.g. "POST /v1/otp/send"), counted in the metrics.
// Other portal packages (password, OTP) add their routes through it.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.metrics.instrument(pattern, h))
}

// Handler is the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s.mux }

// MetricsHandler serves the Prometheus metrics (sign-in counts by code, open sessions …): give
// it a listener that only the monitoring reaches.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler(s.opts.Registry) }

// Store is the server's store.
func (s *Server) Store() *store.Store { return s.st }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.Warn("not ready: database", "err", err)
		WriteError(w, &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeInternal, Message: "database unreachable"})
		return
	}
	w.Write([]byte("ready\n"))
}

func (s *Server) passwordPolicy(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, s.opts.PasswordPolicy)
}

// TLSConfig is the listener's TLS configuration: TLS 1.2 or later, with only ECDHE and AEAD
// suites on TLS 1.2 (TLS 1.3's are all AEAD), client certificates requested (not required,
// not verified by crypto/tls: the card sign-in handler does it), no session resumption so
// that every card sign-in proves possession of the card's key.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		ClientAuth:             tls.RequestClientCert,
		SessionTicketsDisabled: true,
	}
}

// ErrorLog is the log of an http.Server: what net/http reports (a handler's panic, a TLS
// handshake error) at WARN, visible at the default level.
func ErrorLog(l *slog.Logger) *log.Logger { return slog.NewLogLogger(l.Handler(), slog.LevelWarn) }

// bearerOnly lets through requests bearing token ("Authorization: Bearer …", compared in
// constant time) and answers 401 to others.
func bearerOnly(token string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			WriteError(w, unauth("metrics: bearer token required"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Serve serves HTTPS on ln until ctx ends, with the expiry sweeper running (once at start,
// then every SweepInterval). On ctx's end it stops accepting, closes the event streams and
// waits up to grace for requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener, cert tls.Certificate, grace time.Duration) error {
	if n, err := s.st.Sweep(ctx); err != nil {
		return err
	} else if n > 0 {
		s.log.Info("expired sessions ended at start-up", "sessions", n)
	}
	hs := &http.Server{Handler: s.mux, TLSConfig: TLSConfig(cert), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: ErrorLog(s.log)}
	hs.RegisterOnShutdown(s.Close)
	go s.sweepLoop(ctx)
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
	}
	<-errc
	return err
}

// Close ends the event streams (graceful shutdown).
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.closing) }) }

func (s *Server) sweepLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.st.Sweep(ctx)
			if err != nil {
				s.log.Error("sweep", "err", err)
				continue
			}
			if n > 0 {
				s.log.Info("expired sessions ended", "sessions", n)
				s.hub.wakeAll()
			}
		}
	}
}
