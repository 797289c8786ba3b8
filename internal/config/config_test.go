package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func host(name string) func() (string, error) { return func() (string, error) { return name, nil } }

func TestLayersAndLockedKeys(t *testing.T) {
	dir := t.TempDir()
	sys := write(t, dir, "system.json", `{"portal_url": "https://portail.si-samu.test", "removal_policy": "signout",
		"pkcs11_module": "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so", "locked": ["portal_url", "removal_policy"]}`)
	user := write(t, dir, "user.json", `{"portal_url": "https://evil.example", "language": "en"}`)
	c, err := Load(Sources{System: sys, User: user, Hostname: host("samu-ws-07"), Env: env(map[string]string{
		"CPX_AGENT_REMOVAL_POLICY": "lock", "CPX_AGENT_WORKSTATION": "ARM-12", "CPX_AGENT_UNRELATED": "x"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalURL != "https://portail.si-samu.test" || c.RemovalPolicy != "signout" {
		t.Fatalf("locked keys overridden: %+v", c)
	}
	if c.Language != "en" || c.Workstation != "ARM-12" || c.OTPChannels != "skippable" || c.SessionStore != "memory" {
		t.Fatalf("overrides/defaults: %+v", c)
	}
	wantOrigin := map[string]string{KeyPortalURL: sys, KeyLanguage: user, KeyWorkstation: "env CPX_AGENT_WORKSTATION",
		KeyOTPChannels: "default", KeyPKCS11Module: sys}
	for k, want := range wantOrigin {
		if c.Origin[k] != want {
			t.Errorf("origin of %s = %q, want %q", k, c.Origin[k], want)
		}
	}
	if len(c.Warnings) != 2 || !strings.Contains(c.Warnings[0], "portal_url is locked") ||
		!strings.Contains(c.Warnings[1], "CPX_AGENT_REMOVAL_POLICY") {
		t.Fatalf("warnings: %q", c.Warnings)
	}
}

func TestDefaultsWithoutFiles(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(Sources{System: filepath.Join(dir, "none.json"), User: filepath.Join(dir, "nope.json"),
		Hostname: host("samu-ws-01"), Env: env(map[string]string{"CPX_AGENT_PORTAL_URL": "http://127.0.0.1:8443"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Workstation != "samu-ws-01" || c.RemovalPolicy != "lock" || c.Language != "" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestRejected(t *testing.T) {
	cases := []struct {
		name, system, user string
		env                map[string]string
		want               error
		mention            string
	}{
		{"no portal", `{}`, ``, nil, ErrInvalid, "portal_url (from default): not set"},
		{"secret key", `{"portal_url": "https://p.test", "portal_password": "hunter2"}`, ``, nil, ErrSecret, `"portal_password"`},
		{"pin key", `{"portal_url": "https://p.test", "card_pin": "1234"}`, ``, nil, ErrSecret, `"card_pin"`},
		{"token in user file", `{"portal_url": "https://p.test"}`, `{"session_token": "abc"}`, nil, ErrSecret, `"session_token"`},
		{"user info in URL", `{"portal_url": "https://bob:pw@p.test"}`, ``, nil, ErrSecret, "user or password"},
		{"plain http", `{"portal_url": "http://portail.si-samu.test"}`, ``, nil, ErrInvalid, "only allowed to localhost"},
		{"unknown key", `{"portal_url": "https://p.test", "portal": "x"}`, ``, nil, ErrInvalid, `unknown key "portal"`},
		{"locked in user file", `{"portal_url": "https://p.test"}`, `{"locked": ["language"]}`, nil, ErrInvalid, "only allowed in the system file"},
		{"locked unknown", `{"portal_url": "https://p.test", "locked": ["nope"]}`, ``, nil, ErrInvalid, `locked key "nope"`},
		{"not a string", `{"portal_url": "https://p.test", "language": 3}`, ``, nil, ErrInvalid, `"language" must be a string`},
		{"not JSON", `{"portal_url": `, ``, nil, ErrInvalid, "not a JSON object"},
		{"bad policy", `{"portal_url": "https://p.test", "removal_policy": "eject"}`, ``, nil, ErrInvalid, "removal_policy (from "},
		{"bad env language", `{"portal_url": "https://p.test"}`, ``, map[string]string{"CPX_AGENT_LANGUAGE": "de"}, ErrInvalid, "env CPX_AGENT_LANGUAGE"},
		{"relative module", `{"portal_url": "https://p.test", "pkcs11_module": "opensc.so"}`, ``, nil, ErrInvalid, "absolute path"},
		{"workstation slash", `{"portal_url": "https://p.test", "workstation": "a/b"}`, ``, nil, ErrInvalid, "slashes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := Sources{System: write(t, dir, "s.json", c.system), Hostname: host("ws"), Env: env(c.env)}
			if c.user != "" {
				src.User = write(t, dir, "u.json", c.user)
			}
			_, err := Load(src)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.mention) {
				t.Fatalf("err = %v; want %v mentioning %q", err, c.want, c.mention)
			}
			if strings.Contains(fmtErr(err), "hunter2") || strings.Contains(fmtErr(err), "1234") {
				t.Fatalf("secret value in the error: %v", err)
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestLooksSecret(t *testing.T) {
	for k, want := range map[string]bool{"password": true, "admin_password": true, "client_secret": true,
		"api_key": true, "card-pin": true, "puk": true, "refresh_token": true, "private_key_path": true,
		"portal_url": false, "pinned_version": false, "spinner": false, "language": false, "workstation": false} {
		if got := looksSecret(k); got != want {
			t.Errorf("looksSecret(%q) = %v", k, got)
		}
	}
}

func TestSystemPath(t *testing.T) {
	for goos, want := range map[string]string{"linux": "/etc/cpx-agent/config.json",
		"darwin": "/Library/Application Support/cpx-agent/config.json", "freebsd": "/etc/cpx-agent/config.json"} {
		if got := systemPath(goos, ""); got != want {
			t.Errorf("%s: %q", goos, got)
		}
	}
	if got := systemPath("windows", `D:\PD`); got != `D:\PD\cpx-agent\config.json` {
		t.Errorf("windows: %q", got)
	}
	if got := systemPath("windows", ""); got != `C:\ProgramData\cpx-agent\config.json` {
		t.Errorf("windows default: %q", got)
	}
}

// FuzzLoad: any system file gives a config or an error, never a panic.
func FuzzLoad(f *testing.F) {
	f.Add(`{"portal_url": "https://p.test", "locked": ["language"]}`)
	f.Add(`{"locked": [1]}`)
	f.Add(`[]`)
	f.Add(`{"portal_url": null}`)
	f.Fuzz(func(t *testing.T, body string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(Sources{System: p, Hostname: host("ws"), Env: env(nil)})
		if err == nil && c.Validate() != nil {
			t.Fatalf("Load accepted an invalid config: %+v", c)
		}
	})
}
