package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadFileThenEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.json")
	os.WriteFile(path, []byte(`{"listen": ":9443", "session_idle": "10m", "dev": true}`), 0o600)
	c, err := Load(path, []string{"CPX_PORTAL_SESSION_IDLE=20m", "CPX_PORTAL_DATA_DIR=/tmp/x", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":9443" || c.SessionIdle.D() != 20*time.Minute || c.DataDir != "/tmp/x" || !c.Dev {
		t.Fatalf("got %+v", c)
	}
	if c.SessionMax.D() != 12*time.Hour {
		t.Fatalf("default session_max lost: %v", c.SessionMax.D())
	}
}

func TestLoadRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"unknown key":  `{"dev": true, "lisen": ":1"}`,
		"bad duration": `{"dev": true, "session_idle": "soon"}`,
		"idle > max":   `{"dev": true, "session_idle": "2h", "session_max": "1h"}`,
	}
	for name, body := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(path, []byte(body), 0o600)
		if _, err := Load(path, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Serving needs TLS; admin and migrate (Load + Validate) do not.
	c, err := Load(writeTemp(t, dir, `{"listen": ":1"}`), nil)
	if err != nil {
		t.Fatalf("database-only config refused: %v", err)
	}
	if c.ValidateServe() == nil {
		t.Error("serving without tls_cert, tls_key and client_ca accepted")
	}
	if _, err := Load("", []string{"CPX_PORTAL_DEV=maybe"}); err == nil {
		t.Error("bad boolean in the environment accepted")
	}
}

func writeTemp(t *testing.T, dir, body string) string {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPSCFromEnvironment(t *testing.T) {
	c, err := Load("", []string{"CPX_PORTAL_PSC_ISSUER=https://127.0.0.1:9/auth/realms/esante-wallet/",
		"CPX_PORTAL_PSC_CLIENT_ID=cpx", "CPX_PORTAL_PSC_CLIENT_SECRET_FILE=/s", "CPX_PORTAL_PSC_ACCEPTED_ACR=eidas2, eidas3",
		"CPX_PORTAL_AUTH_RATE_LIMIT=2.5"})
	if err != nil {
		t.Fatal(err)
	}
	p := c.PSC
	if p.Issuer != "https://127.0.0.1:9/auth/realms/esante-wallet" ||
		p.DiscoveryURL != p.Issuer+"/.well-known/wallet-openid-configuration" ||
		strings.Join(p.AcceptedACR, ",") != "eidas2,eidas3" || p.Scope != "openid scope_all" ||
		p.ACR != "eidas1" || p.Channel != "MOBILE" || p.MissingACR != "refuse" || c.Auth.RateLimit != 2.5 {
		t.Fatalf("got %+v", p)
	}
	bas, err := Load(writeTemp(t, t.TempDir(), `{"psc": {"preset": "bas", "client_id": "x", "client_cert": "c", "client_key": "k"}}`), nil)
	if err != nil || bas.PSC.Issuer != "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet" {
		t.Fatalf("bas preset: %v %+v", err, bas.PSC)
	}
	for name, env := range map[string][]string{
		"HS256":       {"CPX_PORTAL_PSC_ALGORITHMS=RS256,HS256"},
		"no auth":     {"CPX_PORTAL_PSC_CLIENT_SECRET_FILE="},
		"channel":     {"CPX_PORTAL_PSC_CHANNEL=SMS"},
		"missing acr": {"CPX_PORTAL_PSC_MISSING_ACR=maybe"},
		"preset":      {"CPX_PORTAL_PSC_PRESET=staging"},
	} {
		base := []string{"CPX_PORTAL_PSC_ISSUER=https://x", "CPX_PORTAL_PSC_CLIENT_ID=cpx", "CPX_PORTAL_PSC_CLIENT_SECRET_FILE=/s"}
		if _, err := Load("", append(base, env...)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
