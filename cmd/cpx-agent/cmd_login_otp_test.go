package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// otpPortal starts a portal with password + OTP sign-in delivering e-mail through the
// loopback SMTP test server (STARTTLS + AUTH), and enrols jeanne.testeuse.
func otpPortal(t *testing.T) (*portaltest.Portal, *smtptest.Server, string) {
	t.Helper()
	srv, err := smtptest.Start(smtptest.Options{Username: "portal", Password: "relay"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mailer, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "portail@samu.test",
		Username: "portal", Password: "relay", TLS: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var auth *server.AuthOptions
	pt := portaltest.Start(t, store.SQLite, func(o *server.Options) {
		a, err := server.NewAuthOptions(server.AuthSetup{Store: o.Store, Password: password.DefaultConfig(),
			Key: bytes.Repeat([]byte{7}, 32), Senders: map[string]notify.Sender{api.ChannelEmail: mailer}})
		if err != nil {
			t.Fatal(err)
		}
		go a.Notifier.Run(ctx)
		o.Auth, auth = a, a
	})
	u := store.User{Identifiant: "jeanne.testeuse", GivenName: "Jeanne", FamilyName: "Testeuse", Email: "jeanne@samu.test", Habilitation: true}
	must(t, pt.Store.AddUser(ctx, &u, []store.Profile{{EntityID: portaltest.Entity, Label: "ARM"}}))
	h, err := auth.Hasher.Hash(ctx, []byte("Vx7#pluie-Orage"))
	must(t, err)
	_, err = pt.Store.SetPassword(ctx, u.ID, store.NewPassword{Hash: h}, store.AuditEntry{Event: "test"})
	must(t, err)
	must(t, pt.Store.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: "jeanne@samu.test"}, "", store.AuditEntry{Event: "test"}))
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
	code, err := mailCode(srv, n)
	if err != nil {
		t.Error(err)
		return
	}
	os.WriteFile(file, code, 0o600)
}

// mailCode waits up to 10 s for the n-th mail and returns the code it holds.
func mailCode(srv *smtptest.Server, n int) ([]byte, error) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if msgs := srv.Messages(); len(msgs) >= n {
			m, err := mail.ReadMessage(bytes.NewReader(msgs[n-1].Data))
			if err != nil {
				return nil, err
			}
			body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
			if code := regexp.MustCompile(`\b\d{6}\b`).Find(body); code != nil {
				return code, nil
			}
			return nil, fmt.Errorf("mail %d holds no code", n)
		}
	}
	return nil, fmt.Errorf("mail %d never came", n)
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
