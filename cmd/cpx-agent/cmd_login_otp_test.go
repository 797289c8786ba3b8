package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// otpPortal starts a portal with password + OTP sign-in delivering e-mail through the
// loopback SMTP test server (STARTTLS + AUTH), enrols jeanne.testeuse, and writes the CA that
// issues the portal's certificate to a file.
func otpPortal(t *testing.T) (*portaltest.Portal, *smtptest.Server, string) {
	t.Helper()
	pt, srv, auth := portaltest.StartAuth(t)
	portaltest.EnrolOTPUser(t, pt, auth, jeannePassword)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pt.PKI.Root.Cert.Raw}), 0o600))
	return pt, srv, ca
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// relayCode copies the code of the n-th mail into file, as a user would type it.
func relayCode(t *testing.T, srv *smtptest.Server, n int, file string) {
	code, err := srv.WaitCode(n, 10*time.Second)
	if err != nil {
		t.Error(err)
		return
	}
	os.WriteFile(file, []byte(code), 0o600)
}

// TestLoginOTP: `cpx-agent login otp` against a real portal over TLS: password on stdin, the
// e-mailed code through --code-file, --remember puts the device token in the OS keyring
// (Secret Service), and the next sign-in on the workstation needs no code.
func TestLoginOTP(t *testing.T) {
	pt, srv, ca := otpPortal(t)
	otpKeys = keystore.NewService("cpx-agent-test-" + store.NewID()[:8])
	t.Cleanup(func() { otpKeys.Delete(deviceTokenKey("jeanne.testeuse")); otpKeys = keystore.New() })
	codeFile := filepath.Join(t.TempDir(), "code")
	args := []string{"login", "otp", "--portal", pt.URL, "--ca", ca, "--identifiant", "jeanne.testeuse",
		"--password-stdin", "--code-file", codeFile, "--code-wait", "20s", "--remember", "--json",
		"--workstation", "poste-cli", "--phone", "1001"}
	go relayCode(t, srv, 1, codeFile)
	var out, errb bytes.Buffer
	if code := run(args, strings.NewReader("Vx7#pluie-Orage\n"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got struct{ Session api.Session }
	must(t, json.Unmarshal(out.Bytes(), &got))
	if got.Session.Method != api.MethodOTP || got.Session.Phone != "1001" || got.Session.Profile == nil {
		t.Fatalf("session %+v", got.Session)
	}
	if !strings.Contains(errb.String(), "Code envoyé à j•••@samu.test") {
		t.Fatalf("stderr %q", errb.String())
	}
	tok, err := otpKeys.Get(deviceTokenKey("jeanne.testeuse"))
	if err != nil || tok == "" {
		t.Fatalf("device token not in the keyring: %v", err)
	}

	// Remembered: no code this time.
	out.Reset()
	errb.Reset()
	args = []string{"login", "otp", "--portal", pt.URL, "--ca", ca, "--identifiant", "jeanne.testeuse",
		"--password-stdin", "--code-stdin", "--workstation", "poste-cli"}
	if code := run(args, strings.NewReader("Vx7#pluie-Orage\n"), &out, &errb); code != 0 {
		t.Fatalf("remembered: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "Poste mémorisé") || len(srv.Messages()) != 1 {
		t.Fatalf("a code was asked on a remembered workstation: %q, %d mails", errb.String(), len(srv.Messages()))
	}

	// Wrong password: the portal's French message, exit 1.
	errb.Reset()
	if code := run(args, strings.NewReader("faux\n"), &out, &errb); code != exitError ||
		!strings.Contains(errb.String(), "Le couple identifiant/mot de passe est incorrect") {
		t.Fatalf("wrong password: %q", errb.String())
	}
	errb.Reset()
	if code := run([]string{"login", "otp", "--portal", pt.URL}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("usage: exit %d", code)
	}
}
