package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

// metricsToken reads the bearer token that opens /metrics on the API's port ("" when no file
// is configured).
func metricsToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("metrics_token_file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return "", fmt.Errorf("metrics_token_file %s: the token needs at least 16 characters", path)
	}
	return tok, nil
}

// serveMetrics serves /metrics over plain HTTP on addr until ctx ends (nothing when addr is
// ""). The address should be reachable only by the monitoring (loopback or an admin network).
func serveMetrics(ctx context.Context, addr string, srv *server.Server, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics_listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: server.ErrorLog(log)}
	go hs.Serve(ln)
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}
