package vcard

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

func TestStatePersistsBlockedCard(t *testing.T) {
	h := testHolder(t)
	dir := filepath.Join(t.TempDir(), "card")
	c, err := New(Config{StateDir: dir, Cert: h.Cert, Key: h.Key, Logger: quietLog()})
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	serial := c.Serial()
	for range PINMaxTries {
		c.applet.transmit(mustHex(t, "0020008008"+pad8("0000")))
	}
	// A restart: a new Card over the same directory, without holder (it is in the state).
	again, err := New(Config{StateDir: dir, Logger: quietLog()})
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if !bytes.Equal(again.Serial(), serial) || !again.Certificate().Equal(h.Cert) {
		t.Fatalf("reloaded card has another serial or certificate")
	}
	_, sw := tx(t, again.applet, "0020008008"+pad8(DefaultPIN))
	wantSW(t, "right PIN on the reloaded blocked card", sw, swAuthBlocked)

	for _, f := range []string{stateFile, keyFile, certFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(`"`+DefaultPIN+`"`)) || bytes.Contains(raw, []byte(`"`+DefaultPUK+`"`)) ||
		!strings.Contains(string(raw), `"pin_hash": "argon2id$`) {
		t.Fatalf("state.json does not hold hashed secrets only:\n%s", raw)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("state dir has %d entries (temporary files left?)", len(entries))
	}
}

func TestStateErrors(t *testing.T) {
	if _, err := New(Config{StateDir: t.TempDir(), Logger: quietLog()}); !errors.Is(err, ErrNoState) {
		t.Fatalf("empty dir without holder: %v, want ErrNoState", err)
	}
	h := testHolder(t)
	other := testHolderKeyMismatch(t)
	if _, err := New(Config{StateDir: t.TempDir(), Cert: h.Cert, Key: other, Logger: quietLog()}); !errors.Is(err, ErrBadState) {
		t.Fatalf("mismatched key: %v, want ErrBadState", err)
	}
	dir := t.TempDir()
	if _, err := New(Config{StateDir: dir, Cert: h.Cert, Key: h.Key, PIN: "12", Logger: quietLog()}); !errors.Is(err, ErrBadState) {
		t.Fatalf("2-digit PIN: %v, want ErrBadState", err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{StateDir: dir, Logger: quietLog()}); !errors.Is(err, ErrBadState) {
		t.Fatalf("corrupt state.json: %v, want ErrBadState", err)
	}
}

func testHolderKeyMismatch(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	is, err := p.Issue(pki.DemoHolders()["cpe"])
	if err != nil {
		t.Fatal(err)
	}
	return is.Key
}
