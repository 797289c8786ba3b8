package agent_test

import (
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// authPortal starts a portal with password + OTP sign-in whose codes go out by e-mail
// through a real SMTP server on loopback (STARTTLS + AUTH).
func authPortal(t *testing.T) (*portaltest.Portal, *smtptest.Server, *server.AuthOptions) {
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
	pt := portaltest.Start(t, "sqlite", func(o *server.Options) {
		a, err := server.NewAuthOptions(server.AuthSetup{Store: o.Store, Password: password.DefaultConfig(),
			Key: []byte(strings.Repeat("k", 32)), Senders: map[string]notify.Sender{api.ChannelEmail: mailer},
			Notify: notify.Config{MaxAttempts: 2, Backoff: time.Millisecond, Poll: 20 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		go a.Notifier.Run(ctx)
		o.Auth, auth = a, a
	})
	return pt, srv, auth
}

// otpPortal is authPortal with an account "jeanne.testeuse" with password pw and an active
// e-mail channel.
func otpPortal(t *testing.T, pw string) (*portaltest.Portal, *smtptest.Server) {
	pt, srv, auth := authPortal(t)
	ctx := context.Background()
	u := store.User{Identifiant: "jeanne.testeuse", GivenName: "Jeanne", FamilyName: "Testeuse",
		Email: "jeanne@samu.test", Habilitation: true}
	if err := pt.Store.AddUser(ctx, &u, []store.Profile{{EntityID: portaltest.Entity, Label: "ARM"}}); err != nil {
		t.Fatal(err)
	}
	h, err := auth.Hasher.Hash(ctx, []byte(pw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pt.Store.SetPassword(ctx, u.ID, store.NewPassword{Hash: h}, store.AuditEntry{Event: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := pt.Store.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: "jeanne@samu.test"}, "",
		store.AuditEntry{Event: "test"}); err != nil {
		t.Fatal(err)
	}
	return pt, srv
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// mailedCode waits for the n-th e-mail and returns the code it carries.
func mailedCode(t *testing.T, srv *smtptest.Server, n int) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		msgs := srv.Messages()
		if len(msgs) < n {
			continue
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(msgs[n-1].Data)))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		if m := codeRe.FindStringSubmatch(string(body)); m != nil {
			return m[1]
		}
		t.Fatalf("no code in the e-mail %q", body)
	}
	t.Fatalf("e-mail %d never arrived", n)
	return ""
}

// TestRealPortalOTPPath: identifiant → wrong password → password → e-mail channel → code read
// from the real SMTP server → "remember 24 h" → signed in; the next sign-in on this
// workstation skips the code thanks to the device token kept in the key store.
func TestRealPortalOTPPath(t *testing.T) {
	const pw = "Samu-Lyon-2026!"
	pt, smtp := otpPortal(t, pw)
	st := newStation(t, pt, "ws-otp", nil)

	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.SubmitIdentifiant{Identifiant: "jeanne.testeuse"})
	st.at(agent.StepOTPPassword)
	st.e.Do(agent.SubmitPassword{Password: []byte("wrong-Password-1")})
	s := st.until("refusal", func(s agent.Snapshot) bool { return s.Err != nil })
	if s.Step != agent.StepOTPPassword || agent.MessageKey(s.Err) != "credentials_invalid" {
		t.Fatalf("wrong password: step %v err %v", s.Step, s.Err)
	}
	st.e.Do(agent.SubmitPassword{Password: []byte(pw)})
	s = st.at(agent.StepOTPChannel)
	if len(s.OTPChannels) != 1 || s.OTPChannels[0].Kind != api.ChannelEmail || !s.OTPChannels[0].Active {
		t.Fatalf("channels offered: %+v", s.OTPChannels)
	}
	st.e.Do(agent.SendCode{Kind: api.ChannelEmail})
	if s = st.at(agent.StepOTPCode); s.OTPSentTo == "" || strings.Contains(s.OTPSentTo, "jeanne@samu.test") {
		t.Fatalf("sent to %q (must be masked)", s.OTPSentTo)
	}
	code := mailedCode(t, smtp, 1)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	st.e.Do(agent.SubmitCode{Code: wrong})
	if s = st.until("wrong code", func(s agent.Snapshot) bool { return s.Err != nil }); agent.MessageKey(s.Err) != "otp_invalid" {
		t.Fatalf("wrong code: %v", s.Err)
	}
	st.e.Do(agent.SubmitCode{Code: code, Remember: true})
	s = st.until("signed in", func(s agent.Snapshot) bool { return s.Session != nil })
	if s.Session.Method != api.MethodOTP || s.Session.User.Identifiant != "jeanne.testeuse" {
		t.Fatalf("session %+v", s.Session)
	}
	if tok, err := st.keys.Get("device-token/jeanne.testeuse"); err != nil || tok == "" {
		t.Fatalf("device token not kept: %v", err)
	}

	st.e.Do(agent.SignOut{})
	st.at(agent.StepWaitingCard)
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.SubmitIdentifiant{Identifiant: "jeanne.testeuse"})
	st.at(agent.StepOTPPassword)
	st.e.Do(agent.SubmitPassword{Password: []byte(pw)})
	s = st.until("remembered sign-in", func(s agent.Snapshot) bool { return s.Session != nil || s.Step == agent.StepOTPChannel })
	if s.Session == nil {
		t.Fatalf("the remembered workstation was asked a code again (step %v)", s.Step)
	}
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d e-mails sent, want 1 (no code the second time)", n)
	}
	if _, err := st.keys.Get("device-token/nobody"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("absent key: %v", err)
	}
}
