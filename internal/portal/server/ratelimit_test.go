package server_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestRateLimit: over TLS on loopback, one address gets Burst password sign-ins, then 429
// rate_limited with Retry-After; captcha and OTP routes share the bucket; card sign-in is
// not limited; refusals are counted in /metrics and audited once.
func TestRateLimit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect, func(a *server.AuthOptions) {
			a.RateLimit = server.RateLimit{PerSecond: 0.2, Burst: 3}
		})
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}}}
		spray := func(i int) (int, []byte) {
			return rig.post(t, hc, "/signin/password", map[string]string{
				"identifiant": "user" + strconv.Itoa(i) + ".spray", "password": "Printemps2026!", "workstation": "w"})
		}
		for i := range 3 {
			if st, body := spray(i); st != http.StatusUnauthorized {
				t.Fatalf("sign-in %d within the burst: %d %s", i, st, body)
			}
		}
		b, _ := json.Marshal(map[string]string{"identifiant": "user9.spray", "password": "x", "workstation": "w"})
		resp, err := hc.Post(rig.pt.URL+api.Version+"/signin/password", "application/json", strings.NewReader(string(b)))
		mustOK(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var eb api.ErrorBody
		if resp.StatusCode != http.StatusTooManyRequests || json.Unmarshal(body, &eb) != nil || eb.Error == nil ||
			eb.Error.Code != api.CodeRateLimited {
			t.Fatalf("4th sign-in: %d %s, want 429 rate_limited", resp.StatusCode, body)
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 5 {
			t.Fatalf("Retry-After %q, want 1..5 s", resp.Header.Get("Retry-After"))
		}
		for _, path := range []string{"/recovery/captcha"} {
			r, err := hc.Get(rig.pt.URL + api.Version + path)
			mustOK(t, err)
			r.Body.Close()
			if r.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("GET %s with an empty bucket: %d, want 429", path, r.StatusCode)
			}
		}
		if st, body := rig.post(t, hc, "/signin/otp/verify", map[string]string{"challenge": "x", "code": "123456"}); st != http.StatusTooManyRequests {
			t.Fatalf("otp verify with an empty bucket: %d %s", st, body)
		}
		if st, body := rig.post(t, hc, "/signin/card", map[string]string{"workstation": "w"}); st == http.StatusTooManyRequests {
			t.Fatalf("card sign-in is rate limited: %s", body)
		}
		if n := rig.auditCount(t, store.AuditRateLimited, store.ResultRefused); n != 1 {
			t.Fatalf("%d rate_limited audit lines for one address within a minute, want 1", n)
		}
		m := scrape(t, rig.pt.Server)
		for _, want := range []string{`cpx_portal_rate_limited_total{route="POST /v1/signin/password"} 1`,
			`cpx_portal_rate_limited_total{route="GET /v1/recovery/captcha"} 1`} {
			if !strings.Contains(string(m), want) {
				t.Fatalf("/metrics lacks %q", want)
			}
		}
	})
}
