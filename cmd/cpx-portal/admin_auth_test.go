package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func adminRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	if code := run(append([]string{"admin"}, args...), &out, &errb); code != 0 {
		t.Fatalf("admin %v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

// migrateRun runs `cpx-portal migrate` (admin needs an existing database).
func migrateRun(t *testing.T, env []string) {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errb.String())
	}
}

// TestEnrolOutboxSignIn: IT enrols an account (provisional password queued), the dev portal
// delivers it to the dev outbox, the user signs in with it and an e-mailed code, and the
// session owes change_password and set_secret_question; unlock and habilitation work.
func TestEnrolOutboxSignIn(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	env := []string{"CPX_PORTAL_DEV=true", "CPX_PORTAL_DATA_DIR=" + dir, "CPX_PORTAL_LISTEN=" + addr}
	migrateRun(t, env)
	out := adminRun(t, env, "user", "enrol", "--given", "Hélène", "--family", "Dupont", "--email", "helene@samu.test")
	if !strings.Contains(out, "user helene.dupont enrolled") || !strings.Contains(out, "queued for h•••@samu.test") {
		t.Fatalf("enrol: %s", out)
	}
	out = adminRun(t, env, "user", "enrol", "--given", "Hélène", "--family", "Dupont", "--email", "h2@samu.test", "--show")
	if !strings.Contains(out, "user helene.dupont1 enrolled") || !regexp.MustCompile(`shown once.*: \S{16}\n`).MatchString(out) {
		t.Fatalf("enrol --show: %s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		c, err := loadConfigEnv()
		if err != nil {
			done <- err
			return
		}
		done <- runServer(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-done }()
	waitListen(t, addr, done)
	mail := waitOutbox(t, env, "helene@samu.test", 1)
	pw := regexp.MustCompile(`mot de passe provisoire suivant : (\S+)`).FindStringSubmatch(mail)
	if pw == nil {
		t.Fatalf("no provisional password in %q", mail)
	}
	root, err := os.ReadFile(filepath.Join(dir, "pki", pki.RootFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(root)
	pc, err := client.New("https://"+addr, client.Options{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := pc.SignInPassword(ctx, "helene.dupont", []byte(pw[1]), "poste-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.SendOTP(ctx, ch.ChallengeID, ""); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(waitOutbox(t, env, "helene@samu.test", 2))
	in, err := pc.VerifyOTP(ctx, ch.ChallengeID, code[1], false)
	if err != nil {
		t.Fatal(err)
	}
	acts := in.Session.RequiredActions
	if !slices.Contains(acts, api.ActionChangePassword) || !slices.Contains(acts, api.ActionSetSecretQuestion) {
		t.Fatalf("first sign-in actions %v", acts)
	}

	// The dev demo account signs in at once with its public password.
	ch, err = pc.SignInPassword(ctx, "demo.otp", []byte("Demo#Otp-2026!"), "poste-2", "")
	if err != nil || len(ch.Channels) != 1 {
		t.Fatalf("dev demo account: %+v %v", ch, err)
	}

	for range 3 {
		pc.SignInPassword(ctx, "helene.dupont", []byte("Faux#mot2passe"), "poste-1", "")
	}
	if _, err := pc.SignInPassword(ctx, "helene.dupont", []byte(pw[1]), "poste-1", ""); api.CodeOf(err) != api.CodeAccountLocked {
		t.Fatalf("not locked: %v", err)
	}
	adminRun(t, env, "user", "unlock", "helene.dupont")
	adminRun(t, env, "user", "habilitation", "helene.dupont", "off")
	if _, err := pc.SignInPassword(ctx, "helene.dupont", []byte(pw[1]), "poste-1", ""); api.CodeOf(err) != api.CodeForbidden {
		t.Fatalf("habilitation off: %v", err)
	}
}

func loadConfigEnv() (config.Config, error) { return config.Load("", os.Environ()) }

// waitOutbox waits for the n-th dev outbox message to an address and returns it.
func waitOutbox(t *testing.T, env []string, to string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := adminRun(t, env, "outbox", "list", "--to", to)
		if parts := strings.Split(out, "--- "); len(parts) > n {
			return parts[n]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("outbox: no message %d to %s", n, to)
	return ""
}

// waitListen waits until the portal accepts connections (or has stopped).
func waitListen(t *testing.T, addr string, done chan error) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			done <- err // for the deferred wait
			t.Fatalf("portal stopped: %v", err)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatal("portal never listened")
}
