package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// fakeClock is the injected clock of the store (and so of the server and the notifier).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// smsGateway is an httptest SMS gateway (TLS on loopback) recording {"to","text"} posts.
type smsGateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	msgs   []struct{ To, Text string }
	status int // answer; 0 means 200
}

func startSMS(t testing.TB) *smsGateway {
	g := &smsGateway{}
	g.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.status != 0 {
			w.WriteHeader(g.status)
			return
		}
		g.msgs = append(g.msgs, m)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *smsGateway) fail(status int) { g.mu.Lock(); g.status = status; g.mu.Unlock() }

func (g *smsGateway) texts(to string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.msgs {
		if m.To == to {
			out = append(out, m.Text)
		}
	}
	return out
}

type authRig struct {
	pt   *portaltest.Portal
	c    *client.Client
	clk  *fakeClock
	smtp *smtptest.Server
	sms  *smsGateway
	auth *server.AuthOptions
}

// startAuth starts a portal with password + OTP sign-in over TLS on loopback, delivering
// through the real SMTP test server (STARTTLS + AUTH) and an httptest SMS gateway.
func startAuth(t testing.TB, dialect string, mod ...func(*server.AuthOptions)) *authRig {
	t.Helper()
	return startAuthOn(t, func(m func(*server.Options)) *portaltest.Portal { return portaltest.Start(t, dialect, m) }, mod...)
}

// startAuthWith is startAuth on an open, migrated store: a second instance on the database
// of another, or the same database after a restart.
func startAuthWith(t testing.TB, st *store.Store, mod ...func(*server.AuthOptions)) *authRig {
	t.Helper()
	return startAuthOn(t, func(m func(*server.Options)) *portaltest.Portal { return portaltest.StartWith(t, st, m) }, mod...)
}

func startAuthOn(t testing.TB, start func(func(*server.Options)) *portaltest.Portal, mod ...func(*server.AuthOptions)) *authRig {
	t.Helper()
	rig := &authRig{clk: &fakeClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}, sms: startSMS(t)}
	srv, err := smtptest.Start(smtptest.Options{Username: "portal", Password: "relay-secret"})
	if err != nil {
		t.Fatalf("smtp test server: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	rig.smtp = srv
	mailer, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "portail@samu.test",
		Username: "portal", Password: "relay-secret", TLS: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	texter, err := notify.NewSMSSender(notify.SMSConfig{URL: rig.sms.srv.URL + "/sms",
		Body: `{"to":"{{to}}","text":"{{text}}"}`, Client: rig.sms.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rig.pt = start(func(o *server.Options) {
		o.Store.SetClock(rig.clk.Now)
		a, err := server.NewAuthOptions(server.AuthSetup{Store: o.Store, Password: password.DefaultConfig(),
			Key: []byte(strings.Repeat("k", 32)), Senders: map[string]notify.Sender{
				api.ChannelEmail: mailer, api.ChannelSMS: texter},
			Notify: notify.Config{MaxAttempts: 2, Backoff: time.Millisecond, Poll: 20 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		a.Service, a.LinkURL = "SI-SAMU", "https://portail.test/reset#"
		for _, m := range mod {
			m(a)
		}
		go a.Notifier.Run(ctx)
		o.Auth, rig.auth = a, a
	})
	rig.c = newClient(t, rig.pt)
	return rig
}

// account enrols a password account with active channels (kind → address).
func (rig *authRig) account(t testing.TB, identifiant, email, pw string, channels map[string]string) store.User {
	t.Helper()
	ctx := context.Background()
	u := store.User{Identifiant: identifiant, GivenName: "Jeanne", FamilyName: "Testeuse", Email: email, Habilitation: true}
	if err := rig.pt.Store.AddUser(ctx, &u, []store.Profile{{EntityID: portaltest.Entity, Label: "ARM"}}); err != nil {
		t.Fatal(err)
	}
	if pw != "" {
		h, err := rig.auth.Hasher.Hash(ctx, []byte(pw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rig.pt.Store.SetPassword(ctx, u.ID, store.NewPassword{Hash: h}, store.AuditEntry{Event: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	for kind, addr := range channels {
		if err := rig.pt.Store.ActivateChannel(ctx, u.ID, otp.Channel{Kind: kind, Address: addr}, "", store.AuditEntry{Event: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// mails returns the decoded bodies of the e-mails received for to, oldest first.
func (rig *authRig) mails(t testing.TB, to string) []string {
	t.Helper()
	var out []string
	for _, m := range rig.smtp.Messages() {
		if len(m.To) == 0 || m.To[0] != to {
			continue
		}
		b, err := m.Body()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// lastCode waits for the newest code sent to an e-mail address or a number.
func (rig *authRig) lastCode(t testing.TB, to string, n int) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var texts []string
		if strings.Contains(to, "@") {
			texts = rig.mails(t, to)
		} else {
			texts = rig.sms.texts(to)
		}
		if len(texts) >= n {
			m := codeRe.FindStringSubmatch(texts[n-1])
			if m == nil {
				t.Fatalf("no code in message %q", texts[n-1])
			}
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("message %d to %s never arrived", n, to)
	return ""
}

// solve answers the captcha's "a + b =" or "a - b =".
func solve(t testing.TB, q string) string {
	t.Helper()
	m := regexp.MustCompile(`(\d+) ([+-]) (\d+) =`).FindStringSubmatch(q)
	if m == nil {
		t.Fatalf("captcha %q", q)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	if m[2] == "-" {
		return strconv.Itoa(a - b)
	}
	return strconv.Itoa(a + b)
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := api.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// auditCount counts audit lines of event with result.
func (rig *authRig) auditCount(t testing.TB, event, result string) int {
	t.Helper()
	var n int
	q := rig.pt.Store.Rebind("SELECT COUNT(*) FROM audit WHERE event = ? AND result = ?")
	if err := rig.pt.Store.DB().QueryRow(q, event, result).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitMail waits until to has received n e-mails.
func waitMail(t testing.TB, rig *authRig, to string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(rig.mails(t, to)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d e-mails, want %d", to, len(rig.mails(t, to)), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
