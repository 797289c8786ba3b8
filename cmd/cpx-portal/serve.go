package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/cpx-agent/cpx-agent/internal/portal/certauth"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, _, err := loadConfig(fs, args)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal serve:", err)
		return 2
	}
	log := newLogger(c, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := runServer(ctx, c, log); err != nil {
		log.Error("cpx-portal stopped", "err", err)
		return 1
	}
	return 0
}

func runServer(ctx context.Context, c config.Config, log *slog.Logger) error {
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.Dev {
		if c, err = devSetup(ctx, c, st, log); err != nil {
			return fmt.Errorf("dev mode: %w", err)
		}
	}
	if err := c.ValidateServe(); err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return fmt.Errorf("tls certificate: %w", err)
	}
	v, err := clientVerifier(c, log)
	if err != nil {
		return err
	}
	pol, err := passwordPolicy(c) // auth_wire.go
	if err != nil {
		return err
	}
	auth, err := authOptions(ctx, c, st, log) // auth_wire.go
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	pscOpts, err := pscOptions(c, log) // psc_wire.go
	if err != nil {
		return fmt.Errorf("psc: %w", err)
	}
	token, err := metricsToken(c.MetricsTokenFile)
	if err != nil {
		return err
	}
	srv := server.New(server.Options{Store: st, Verifier: v, Log: log,
		SessionIdle: c.SessionIdle.D(), SessionMax: c.SessionMax.D(), ExpiryWarning: c.ExpiryWarning.D(),
		SweepInterval: c.SweepInterval.D(), PasswordPolicy: pol.API(c.PasswordAge), Auth: auth, PSC: pscOpts,
		MetricsToken: token})
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	if err := serveMetrics(ctx, c.MetricsListen, srv, log); err != nil {
		ln.Close()
		return err
	}
	log.Info("cpx-portal listening", "addr", ln.Addr().String(), "db", st.Dialect(), "dev", c.Dev, "version", version)
	err = srv.Serve(ctx, ln, cert, c.ShutdownGrace.D())
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("cpx-portal stopped")
	return err
}

// clientVerifier checks card certificates against the configured CAs and CRL.
func clientVerifier(c config.Config, log *slog.Logger) (*certauth.Verifier, error) {
	if c.ClientCRL == "" {
		log.Warn("no client_crl configured: revoked cards are not refused")
	}
	return certauth.New(c.ClientCA, c.ClientCRL, log)
}
