package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPrefsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpx-agent", "prefs.json")
	p, err := OpenPrefs(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Get("last_phone") != "" {
		t.Fatal("empty prefs not empty")
	}
	if err := p.Set("last_phone", "4242"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("last_profile", "p2"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("prefs file: %v mode %v", err, fi.Mode())
	}
	again, err := OpenPrefs(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Get("last_phone") != "4242" || again.Get("last_profile") != "p2" || len(again.Keys()) != 2 {
		t.Fatalf("reloaded: %v", again.Keys())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".prefs-*"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestPrefsRefusesSecrets(t *testing.T) {
	p, err := OpenPrefs(filepath.Join(t.TempDir(), "prefs.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"session_token", "pin", "password"} {
		if err := p.Set(k, "x"); !errors.Is(err, ErrSecret) {
			t.Errorf("Set(%q): %v", k, err)
		}
	}
	if err := p.Set("", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty key: %v", err)
	}
}

func TestPrefsCorruptKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prefs.json")
	body := []byte(`{"last_phone": 4242`)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPrefs(path); !errors.Is(err, ErrPrefsCorrupt) {
		t.Fatalf("corrupt prefs: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(body) {
		t.Fatal("corrupt prefs file changed")
	}
}

func TestPrefsSaveFailureKeepsOldValue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cpx-agent")
	p, err := OpenPrefs(filepath.Join(dir, "prefs.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil { // the directory's place is taken by a file
		t.Fatal(err)
	}
	if err := p.Set("last_phone", "4242"); err == nil {
		t.Fatal("save under a file succeeded")
	}
	if p.Get("last_phone") != "" {
		t.Fatal("value kept in memory although not saved")
	}
}
