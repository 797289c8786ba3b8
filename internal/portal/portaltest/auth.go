package portaltest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// OTPUser is the identifiant EnrolOTPUser enrols (Jeanne Testeuse, jeanne@samu.test).
const OTPUser = "jeanne.testeuse"

// StartAuth starts a portal on SQLite with password + OTP sign-in whose codes go out by
// e-mail through a real SMTP server on loopback (STARTTLS + AUTH), retried quickly.
func StartAuth(t testing.TB, mod ...func(*server.Options)) (*Portal, *smtptest.Server, *server.AuthOptions) {
	t.Helper()
	srv, err := smtptest.Start(smtptest.Options{Username: "portal", Password: "relay-secret"})
	if err != nil {
		t.Fatalf("smtp test server: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	mailer, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "portail@samu.test",
		Username: "portal", Password: "relay-secret", TLS: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var auth *server.AuthOptions
	p := Start(t, store.SQLite, func(o *server.Options) {
		for _, m := range mod {
			m(o)
		}
		a, err := server.NewAuthOptions(server.AuthSetup{Store: o.Store, Password: password.DefaultConfig(),
			Key: []byte(strings.Repeat("k", 32)), Senders: map[string]notify.Sender{api.ChannelEmail: mailer},
			Notify: notify.Config{MaxAttempts: 2, Backoff: time.Millisecond, Poll: 20 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		go a.Notifier.Run(ctx)
		o.Auth, auth = a, a
	})
	return p, srv, auth
}

// EnrolOTPUser enrols OTPUser in Entity (profile ARM) with password pw and an active e-mail
// channel, so that password + OTP sign-in works at once.
func EnrolOTPUser(t testing.TB, p *Portal, auth *server.AuthOptions, pw string) {
	t.Helper()
	ctx := context.Background()
	u := store.User{Identifiant: OTPUser, GivenName: "Jeanne", FamilyName: "Testeuse",
		Email: "jeanne@samu.test", Habilitation: true}
	if err := p.Store.AddUser(ctx, &u, []store.Profile{{EntityID: Entity, Label: "ARM"}}); err != nil {
		t.Fatal(err)
	}
	h, err := auth.Hasher.Hash(ctx, []byte(pw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.SetPassword(ctx, u.ID, store.NewPassword{Hash: h}, store.AuditEntry{Event: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: u.Email}, "",
		store.AuditEntry{Event: "test"}); err != nil {
		t.Fatal(err)
	}
}
