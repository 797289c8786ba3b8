package vcard

import (
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

var (
	holderOnce sync.Once
	holder     *pki.Issued
	holderErr  error
)

// testHolder issues the demo "cps" holder once per test binary from the shared test PKI.
func testHolder(t testing.TB) *pki.Issued {
	t.Helper()
	holderOnce.Do(func() {
		p, err := pki.Shared()
		if err != nil {
			holderErr = err
			return
		}
		holder, holderErr = p.Issue(pki.DemoHolders()["cps"])
	})
	if holderErr != nil {
		t.Fatalf("test holder: %v", holderErr)
	}
	return holder
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestApplet makes a fresh card state in a temp dir and its applet.
func newTestApplet(t testing.TB) *applet {
	t.Helper()
	h := testHolder(t)
	st, err := initState(t.TempDir(), h.Cert, h.Key, DefaultPIN, DefaultPUK)
	if err != nil {
		t.Fatalf("initState: %v", err)
	}
	return newApplet(st, quietLog())
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// tx sends an APDU given in hex and splits the answer.
func tx(t testing.TB, a *applet, apdu string) ([]byte, uint16) {
	t.Helper()
	return split(t, a.transmit(mustHex(t, apdu)))
}

func split(t testing.TB, r []byte) ([]byte, uint16) {
	t.Helper()
	if len(r) < 2 {
		t.Fatalf("answer of %d bytes", len(r))
	}
	return r[:len(r)-2], uint16(r[len(r)-2])<<8 | uint16(r[len(r)-1])
}

func wantSW(t testing.TB, what string, got, want uint16) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: SW %04X, want %04X", what, got, want)
	}
}

// pinAPDU builds VERIFY/CHANGE/RESET data blocks padded to 8 bytes with 0xFF.
func pad8(s string) string {
	b := []byte(s)
	for len(b) < 8 {
		b = append(b, 0xFF)
	}
	return hex.EncodeToString(b)
}
