package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// scrape reads the server's metrics as its metrics listener serves them.
func scrape(t *testing.T, s *server.Server) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.Bytes()
}

func get(t *testing.T, hc *http.Client, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	mustOK(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	mustOK(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAttackMetricsWithoutCredentials: finding 10. /metrics (sign-in counts by code, open
// sessions) is not on the API's port by default; with a token configured it answers only
// requests that bear it.
func TestAttackMetricsWithoutCredentials(t *testing.T) {
	for _, token := range []string{"", "jeton-de-supervision-0123456789"} {
		pt := portaltest.Start(t, store.SQLite, func(o *server.Options) { o.MetricsToken = token })
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pt.Roots}}}
		for _, bad := range []string{"", "faux", token + "x"} {
			if st, body := get(t, hc, pt.URL+"/metrics", bad); st == http.StatusOK || strings.Contains(body, "cpx_portal_") {
				t.Fatalf("token %q: GET /metrics with %q answers %d %.80s", token, bad, st, body)
			}
		}
		if token != "" {
			if st, body := get(t, hc, pt.URL+"/metrics", token); st != http.StatusOK || !strings.Contains(body, "cpx_portal_sessions_open") {
				t.Fatalf("GET /metrics with the token: %d %.80s", st, body)
			}
		}
		if !strings.Contains(string(scrape(t, pt.Server)), "cpx_portal_sessions_open") {
			t.Fatal("the metrics handler serves no metrics")
		}
		hc.CloseIdleConnections()
	}
}

// TestAttackManyStreams: finding 10. One session token cannot hold hundreds of event streams
// open: past server.MaxStreamsPerSession the portal answers 429.
func TestAttackManyStreams(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite)
	h := newHolder("FLUX", "NOMBREUX")
	pt.Enroll(t, h)
	c := newClient(t, pt)
	in, err := signInCard(context.Background(), c, credOf(issue(t, pt.PKI, h)), "ws-flux")
	mustOK(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pt.Roots}}}
	defer hc.CloseIdleConnections()
	open, refused := 0, 0
	for range 40 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, pt.URL+api.Version+"/session/events", nil)
		req.Header.Set("Authorization", "Bearer "+in.Token)
		resp, err := hc.Do(req)
		mustOK(t, err)
		switch resp.StatusCode {
		case http.StatusOK:
			open++
			defer resp.Body.Close() // held open until the end of the test
		case http.StatusTooManyRequests:
			refused++
			resp.Body.Close()
		default:
			t.Fatalf("stream: %d", resp.StatusCode)
		}
	}
	if open != server.MaxStreamsPerSession || refused != 40-open {
		t.Fatalf("%d streams open for one session, %d refused; want %d open", open, refused, server.MaxStreamsPerSession)
	}
}

// TestAttackTLS12CBC: finding 10. A TLS 1.2 client that offers only CBC suites gets no
// handshake; one that offers an AEAD suite does.
func TestAttackTLS12CBC(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite)
	addr := strings.TrimPrefix(pt.URL, "https://")
	dial := func(suites ...uint16) error {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pt.Roots, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, s := range []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256} {
		if err := dial(s); err == nil {
			t.Errorf("TLS 1.2 handshake with %s accepted", tls.CipherSuiteName(s))
		}
	}
	mustOK(t, dial(tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))
}

// TestAttackPanicVisible: finding 10. What net/http logs (a recovered handler panic) reaches
// a logger at its default level.
func TestAttackPanicVisible(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := server.New(server.Options{Store: storetest.Open(t, store.SQLite), Log: log})
	s.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.Config.ErrorLog = server.ErrorLog(log)
	hs.Start()
	defer hs.Close()
	if resp, err := http.Get(hs.URL + "/boom"); err == nil {
		resp.Body.Close()
	}
	time.Sleep(100 * time.Millisecond)
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "panic serving") {
		t.Fatalf("a handler panic is not in the log at the default level: %q", buf.String())
	}
}
