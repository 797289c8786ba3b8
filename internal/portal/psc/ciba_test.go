package psc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
)

// fakePSC is an httptest stand-in for the logic of the CIBA calls (the real protocol is
// tested against cpx-pscsim in the server and e2e tests): discovery, ext/ciba/auth and a token
// endpoint answering a scripted list of OAuth errors.
type fakePSC struct {
	srv     *httptest.Server
	mu      sync.Mutex
	form    map[string]string
	user    string
	answers []string // token endpoint errors, in order; the last one repeats
	polls   []time.Time
	expires int
}

func newFakePSC(t *testing.T, answers ...string) *fakePSC {
	f := &fakePSC{answers: answers, expires: 3}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	iss := f.srv.URL + "/auth/realms/esante-wallet"
	mux.HandleFunc("GET /auth/realms/esante-wallet/.well-known/wallet-openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "token_endpoint": iss + "/protocol/openid-connect/token",
			"jwks_uri": iss + "/protocol/openid-connect/certs", "id_token_signing_alg_values_supported": []string{"RS256", "HS256"}})
	})
	mux.HandleFunc("POST /auth/realms/esante-wallet/protocol/openid-connect/ext/ciba/auth", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.form = map[string]string{}
		for k := range r.PostForm {
			f.form[k] = r.PostForm.Get(k)
		}
		f.user, _, _ = r.BasicAuth()
		f.mu.Unlock()
		if r.PostForm.Get("login_hint") == "nobody" {
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]string{"error": "unknown_user_id"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"auth_req_id": "req-1", "expires_in": f.expires, "interval": 1})
	})
	mux.HandleFunc("POST /auth/realms/esante-wallet/protocol/openid-connect/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.polls = append(f.polls, time.Now())
		a := f.answers[min(len(f.polls), len(f.answers))-1]
		f.mu.Unlock()
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": a})
	})
	return f
}

func (f *fakePSC) client(t *testing.T) *Client {
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	cfg := config.PSC{Issuer: f.srv.URL + "/auth/realms/esante-wallet", ClientID: "cpx-portal", ClientSecretFile: secret}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStartCIBASendsPSCParameters(t *testing.T) {
	f := newFakePSC(t, errDenied)
	c := f.client(t)
	ar, err := c.StartCIBA(context.Background(), "500000001815646/CPAT00045", "07")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"scope": "openid scope_all", "acr_values": "eidas1", "login_hint": "500000001815646/CPAT00045",
		"binding_message": "07", "channel": "MOBILE"}
	for k, v := range want {
		if f.form[k] != v {
			t.Errorf("%s = %q, want %q", k, f.form[k], v)
		}
	}
	if f.user != "cpx-portal" || ar.ID != "req-1" || ar.Interval != time.Second {
		t.Errorf("basic auth user %q, request %+v", f.user, ar)
	}
	if _, err := c.StartCIBA(context.Background(), "nobody", "07"); CodeOf(err) != api.CodeCardUnknown {
		t.Errorf("unknown holder: %v, want card_unknown", err)
	}
}

func TestPollStopsAtDenialAndNeverPastExpiry(t *testing.T) {
	f := newFakePSC(t, errPending, errDenied, errPending)
	f.expires = 10
	c := f.client(t)
	ar, err := c.StartCIBA(context.Background(), "899700427885", "42")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Poll(context.Background(), ar); CodeOf(err) != api.CodePSCDenied {
		t.Fatalf("denied: %v", err)
	}
	if len(f.polls) != 2 {
		t.Fatalf("%d polls after a denial at the second, want 2", len(f.polls))
	}

	g := newFakePSC(t, errPending)
	g.expires = 3
	c = g.client(t)
	ar, _ = c.StartCIBA(context.Background(), "899700427885", "42")
	start := time.Now()
	if _, err := c.Poll(context.Background(), ar); CodeOf(err) != api.CodePSCExpired {
		t.Fatalf("expiry: %v", err)
	}
	for _, p := range g.polls {
		if !p.Before(ar.ExpiresAt) {
			t.Errorf("poll at %v, at or past the expiry %v", p.Sub(start), ar.ExpiresAt.Sub(start))
		}
	}
	if len(g.polls) != 2 {
		t.Errorf("%d polls in 3 s at 1 s, want 2 (at 1 s and 2 s)", len(g.polls))
	}
}

func TestCancelAndUnreachable(t *testing.T) {
	f := newFakePSC(t, errPending)
	c := f.client(t)
	ar, _ := c.StartCIBA(context.Background(), "899700427885", "42")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	if _, err := c.Poll(ctx, ar); err != context.Canceled {
		t.Fatalf("cancelled poll: %v", err)
	}
	if len(f.polls) != 0 {
		t.Errorf("%d polls after a cancel before the first interval", len(f.polls))
	}
	f.srv.Close()
	c = f.client(t)
	if _, err := c.StartCIBA(context.Background(), "899700427885", "42"); CodeOf(err) != api.CodePSCUnavailable {
		t.Errorf("unreachable PSC: %v", err)
	}
}
