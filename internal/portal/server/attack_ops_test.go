package server_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
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
