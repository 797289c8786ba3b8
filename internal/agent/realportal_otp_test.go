package agent_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

// authPortal starts a portal with password + OTP sign-in whose codes go out by e-mail
// through a real SMTP server on loopback (STARTTLS + AUTH).
func authPortal(t *testing.T) (*portaltest.Portal, *smtptest.Server, *server.AuthOptions) {
	return portaltest.StartAuth(t)
}

// otpPortal is authPortal with an account "jeanne.testeuse" with password pw and an active
// e-mail channel.
func otpPortal(t *testing.T, pw string) (*portaltest.Portal, *smtptest.Server) {
	pt, srv, auth := portaltest.StartAuth(t)
	portaltest.EnrolOTPUser(t, pt, auth, pw)
	return pt, srv
}

// mailedCode waits for the n-th e-mail and returns the code it carries.
func mailedCode(t *testing.T, srv *smtptest.Server, n int) string {
	t.Helper()
	code, err := srv.WaitCode(n, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return code
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
