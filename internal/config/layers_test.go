package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDropInsInNameOrder(t *testing.T) {
	dir := t.TempDir()
	sys := write(t, dir, "config.json", `{"portal_url": "https://old.si-samu.test", "language": "fr"}`)
	d := filepath.Join(dir, "config.d")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, d, "20-reader.json", `{"reader": "Lecteur ARM", "portal_url": "https://portail.si-samu.test"}`)
	write(t, d, "10-site.json", `{"portal_url": "https://first.si-samu.test", "locked": ["portal_url"]}`)
	write(t, d, "10-site.json.dpkg-old", `{"nonsense": true}`)
	write(t, d, ".hidden.json", `{"nonsense": true}`)
	c, err := Load(Sources{System: sys, DropIns: d, Hostname: host("ws"),
		Env: env(map[string]string{"CPX_AGENT_PORTAL_URL": "https://evil.example"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalURL != "https://portail.si-samu.test" || c.Reader != "Lecteur ARM" || c.Language != "fr" {
		t.Fatalf("drop-ins not applied in name order: %+v", c)
	}
	if c.Origin[KeyPortalURL] != filepath.Join(d, "20-reader.json") || c.Origin[KeyLanguage] != sys {
		t.Fatalf("origins: %v", c.Origin)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "CPX_AGENT_PORTAL_URL") {
		t.Fatalf("a drop-in's lock must hold against the environment: %q", c.Warnings)
	}
}

func TestDropInErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "30-bad.json", `{"portal_url": "https://p.test", "pin": "1234"}`)
	_, err := Load(Sources{DropIns: dir, Hostname: host("ws"), Env: env(nil)})
	if !errors.Is(err, ErrSecret) || !strings.Contains(err.Error(), "30-bad.json") {
		t.Fatalf("err = %v", err)
	}
}

func TestPolicyLayerWinsAndLocks(t *testing.T) {
	dir := t.TempDir()
	d := filepath.Join(dir, "config.d")
	_ = os.Mkdir(d, 0o755)
	write(t, d, "10.json", `{"portal_url": "https://file.si-samu.test"}`)
	user := write(t, dir, "user.json", `{"removal_policy": "lock", "language": "en"}`)
	machine := func() ([]Layer, error) {
		return []Layer{
			StringLayer(`HKLM\Software\cpx-agent\Config`, map[string]string{"PORTAL_URL": "https://msi.si-samu.test", "LANGUAGE": ""}, false),
			StringLayer(`HKLM\Software\Policies\cpx-agent`, map[string]string{"removal_policy": "signout", "autostart": "0"}, true),
		}, nil
	}
	c, err := Load(Sources{DropIns: d, User: user, Machine: machine, Hostname: host("ws"), Env: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalURL != "https://msi.si-samu.test" || c.RemovalPolicy != "signout" || c.Autostart != "0" || c.Language != "en" {
		t.Fatalf("effective: %+v", c)
	}
	if c.Origin[KeyRemovalPolicy] != `HKLM\Software\Policies\cpx-agent` || len(c.Warnings) != 1 {
		t.Fatalf("origin %q, warnings %q", c.Origin[KeyRemovalPolicy], c.Warnings)
	}
}

func TestMachineLayerRefusesUnknownKey(t *testing.T) {
	machine := func() ([]Layer, error) {
		return []Layer{StringLayer(`HKLM\Software\Policies\cpx-agent`, map[string]string{"portal": "x"}, true)}, nil
	}
	_, err := Load(Sources{Machine: machine, Hostname: host("ws"), Env: env(nil)})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `Policies\cpx-agent`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDropInDirAndExample(t *testing.T) {
	if got := SystemDropInDir(); !strings.HasSuffix(got, "config.d") || filepath.Dir(got) != filepath.Dir(SystemPath()) {
		t.Fatalf("SystemDropInDir() = %q", got)
	}
	if got := examplePath("linux", "/etc/cpx-agent/config.json"); got != "/usr/share/cpx-agent/config.example.json" {
		t.Fatalf("linux example %q", got)
	}
	if got := examplePath("windows", `C:\ProgramData\cpx-agent\config.json`); got != `C:\ProgramData\cpx-agent\config.example.json` {
		t.Fatalf("windows example %q", got)
	}
}
