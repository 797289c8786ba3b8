package pscsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/luikyv/go-oidc/pkg/provider"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// Server is a running simulator. Its methods are safe for concurrent use.
type Server struct {
	cfg            Config
	log            *slog.Logger
	pki            *pki.PKI
	caFile, tmpDir string
	users          userSet
	keys           *signingKeys
	op             *provider.Provider
	origin, issuer string
	srv            *http.Server

	// answerMu keeps the phone's answers (which write the provider's stored CIBA session)
	// apart from the token requests that read it: the provider's in-memory store shares one
	// session value between them.
	answerMu sync.RWMutex

	mu      sync.Mutex
	knobs   Knobs
	pushes  map[string]*push
	order   []string // auth_req_ids, oldest first
	stats   Stats
	changed chan struct{} // closed and replaced whenever a push changes
	closing chan struct{}
	wg      sync.WaitGroup
}

// Start listens on cfg.Listen and serves the simulator over HTTPS until Close (ctx bounds the
// start only).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Log, knobs: cfg.Knobs, pushes: map[string]*push{},
		changed: make(chan struct{}), closing: make(chan struct{}), users: newUserSet(cfg.Users)}
	if err := s.openPKI(); err != nil {
		return nil, err
	}
	var err error
	if s.keys, err = newSigningKeys(); err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("pscsim: listen: %w", err)
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	s.origin = "https://" + net.JoinHostPort(host, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	s.issuer = s.origin + RealmPath
	tlsConf, err := s.tlsConfig(host)
	if err == nil {
		s.op, err = s.newProvider()
	}
	if err != nil {
		ln.Close()
		s.removeTmp()
		return nil, fmt.Errorf("pscsim: %w", err)
	}
	s.srv = &http.Server{Handler: s.routes(), TLSConfig: tlsConf, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	go s.srv.Serve(tls.NewListener(ln, tlsConf)) //nolint:errcheck // ends with Close
	s.log.Info("pscsim: serving", "issuer", s.issuer)
	return s, nil
}

func (s *Server) openPKI() error {
	if s.cfg.PKI != nil {
		s.pki = s.cfg.PKI
		dir, err := os.MkdirTemp("", "cpx-pscsim-")
		if err != nil {
			return fmt.Errorf("pscsim: %w", err)
		}
		s.tmpDir, s.caFile = dir, filepath.Join(dir, pki.RootFile)
		root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.pki.Root.Cert.Raw})
		if err := os.WriteFile(s.caFile, root, 0o644); err != nil {
			s.removeTmp()
			return fmt.Errorf("pscsim: %w", err)
		}
		return nil
	}
	demo, err := pki.OpenOrCreateDemo(s.cfg.PKIDir)
	if err != nil {
		return fmt.Errorf("pscsim: test pki %s: %w", s.cfg.PKIDir, err)
	}
	s.pki, s.caFile = demo.PKI, filepath.Join(s.cfg.PKIDir, pki.RootFile)
	return nil
}

func (s *Server) removeTmp() {
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
	}
}

// tlsConfig: a server certificate of the test PKI for loopback (and host), client
// certificates verified against the PKI's root when sent (tls_client_auth).
func (s *Server) tlsConfig(host string) (*tls.Config, error) {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if host != "localhost" && host != "127.0.0.1" && host != "::1" {
		hosts = append(hosts, host)
	}
	cert, err := s.pki.IssueServer(hosts...)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    s.pki.Pool(),
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// Issuer gives the issuer URL (https://HOST:PORT/auth/realms/esante-wallet).
func (s *Server) Issuer() string { return s.issuer }

// DiscoveryURL gives PSC's non-standard discovery URL.
func (s *Server) DiscoveryURL() string { return s.issuer + DiscoveryPath }

// AuthorizationURL gives the authorization endpoint, outside the issuer as PSC's is.
func (s *Server) AuthorizationURL() string { return s.origin + AuthorizePath }

// PhoneURL gives the simulated phone's page.
func (s *Server) PhoneURL() string { return s.origin + PhonePath }

// Origin gives https://HOST:PORT.
func (s *Server) Origin() string { return s.origin }

// RootCAs gives the pool that trusts the simulator's server certificate.
func (s *Server) RootCAs() *x509.CertPool { return s.pki.Pool() }

// CAFile gives a PEM file with the root that trusts the server certificate (the PKI
// directory's root.pem, or a temporary copy removed on Close when Config.PKI was given).
func (s *Server) CAFile() string { return s.caFile }

// PKI gives the test PKI (to issue a tls_client_auth certificate: pki.IssueClient).
func (s *Server) PKI() *pki.PKI { return s.pki }

// Knobs gives the current knobs.
func (s *Server) Knobs() Knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.knobs
}

// SetKnobs replaces the knobs; they apply to the next pushes, polls and tokens.
func (s *Server) SetKnobs(k Knobs) error {
	if err := k.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.knobs = k
	s.mu.Unlock()
	return nil
}

// Close stops serving and waits for pending automatic answers to give up.
func (s *Server) Close() error {
	s.mu.Lock()
	select {
	case <-s.closing:
		s.mu.Unlock()
		return nil
	default:
		close(s.closing)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	s.removeTmp()
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	return err
}
