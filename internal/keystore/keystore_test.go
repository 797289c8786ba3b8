package keystore

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// conformance runs the agent.KeyStore contract against s.
func conformance(t *testing.T, s agent.KeyStore) {
	t.Helper()
	const key = "device-token/claire.martin"
	secret := "dt-" + strings.Repeat("é9", 600) // 2.4 kB, non-ASCII
	if _, err := s.Get(key); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("Get of an absent key: %v, want agent.ErrNotFound", err)
	}
	if err := s.Set(key, secret); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(key); err != nil || v != secret {
		t.Fatalf("Get after Set: %v (value matches: %v)", err, v == secret)
	}
	if err := s.Set(key, "second"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(key); v != "second" {
		t.Fatal("Set did not replace the value")
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(key); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatalf("Delete of an absent key: %v", err)
	}
	for _, bad := range []string{"", "a\nb"} {
		if err := s.Set(bad, "x"); !errors.Is(err, ErrKey) {
			t.Errorf("Set(%q): %v", bad, err)
		}
	}
}

func TestMemory(t *testing.T) { conformance(t, NewMemory()) }

// requireSecretService fails (never skips) when no Secret Service answers.
func requireSecretService(t *testing.T, service string) {
	t.Helper()
	how := "run the tests under `.ci/rig.sh run` (a session D-Bus with an unlocked gnome-keyring)"
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("no session D-Bus (DBUS_SESSION_BUS_ADDRESS unset): %s", how)
	}
	if err := keyring.Set(service, "probe", "probe"); err != nil {
		t.Fatalf("no Secret Service reachable (%v): %s", err, how)
	}
	_ = keyring.Delete(service, "probe")
}

// TestKeyringSecretService runs the contract against the real OS keyring and checks the item
// with libsecret's own tool.
func TestKeyringSecretService(t *testing.T) {
	service := fmt.Sprintf("cpx-agent-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	requireSecretService(t, service)
	t.Cleanup(func() { _ = keyring.DeleteAll(service) })
	k := NewService(service)
	conformance(t, k)

	if err := k.Set("session/samu-ws-01", "tok-secret-value"); err != nil {
		t.Fatal(err)
	}
	tool, err := exec.LookPath("secret-tool")
	if err != nil {
		t.Fatalf("secret-tool missing: apt-get install libsecret-tools (or .ci/rig.sh install)")
	}
	out, err := exec.Command(tool, "lookup", "service", service, "username", "session/samu-ws-01").Output()
	if err != nil || string(out) != "tok-secret-value" {
		t.Fatalf("secret-tool lookup: %v %q", err, out)
	}
	if _, err := k.Get("session/other"); err == nil || strings.Contains(err.Error(), "tok-secret-value") {
		t.Fatalf("absent key: %v", err)
	}
	if New().service != "cpx-agent" {
		t.Fatal("default service name changed")
	}
}
