package agent

import (
	"errors"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// otpPortal scripts identifiant "claire.martin" / password "secret-Pw-2026" with an e-mail
// channel and code 654321; a device token "dev-1" skips the code until revoked.
func otpPortal(h *harness) (revoke func()) {
	valid := map[string]bool{}
	h.p.pwSignIn = func(id string, pw []byte, device string) (api.PasswordSignInResponse, error) {
		id = strings.ToLower(id) // the portal folds case
		switch {
		case id == "nochan.user":
			return api.PasswordSignInResponse{}, &api.Error{Code: api.CodeNoChannel}
		case id != "claire.martin" || string(pw) != "secret-Pw-2026":
			return api.PasswordSignInResponse{}, &api.Error{Code: api.CodeCredentials}
		case device != "" && valid[device]:
			si := h.p.newSessionLocked(api.MethodOTP, id, nil)
			return api.PasswordSignInResponse{SignIn: &si}, nil
		}
		return api.PasswordSignInResponse{ChallengeID: "ch-1", Channels: []api.Channel{{Kind: api.ChannelEmail, Masked: "c•••@samu.fr", Active: true}}}, nil
	}
	h.p.verify = func(code string, remember bool) (api.SignIn, error) {
		if code != "654321" {
			return api.SignIn{}, &api.Error{Code: api.CodeOTPInvalid}
		}
		si := h.p.newSessionLocked(api.MethodOTP, "claire.martin", nil)
		if remember {
			si.DeviceToken = "dev-1"
			valid["dev-1"] = true
		}
		return si, nil
	}
	return func() {
		h.p.mu.Lock()
		delete(valid, "dev-1")
		h.p.mu.Unlock()
	}
}

func (h *harness) otpUpToPassword(id, pw string) Snapshot {
	h.t.Helper()
	h.e.Do(ChooseOTP{})
	h.settle(StepOTPIdentifiant)
	h.e.Do(SubmitIdentifiant{Identifiant: "  " + id + " "})
	if s := h.settle(StepOTPPassword); s.Identifiant != id {
		h.t.Fatalf("identifiant %q", s.Identifiant)
	}
	h.e.Do(SubmitPassword{Password: []byte(pw)})
	return h.wait("password checked", func(s Snapshot) bool { return !s.Busy && s.Step != StepOTPPassword || s.Err != nil })
}

// TestOTPPath: identifiant → password (wrong, then right) → channel → code (wrong, then right,
// "remember 24 h") → banner; the next sign-in skips the code; once the portal cancels the
// remembering, the code is asked again and the stale device token is forgotten.
func TestOTPPath(t *testing.T) {
	h := newHarness(t, Config{})
	revoke := otpPortal(h)
	start := h.mark()

	s := h.otpUpToPassword("claire.martin", "wrong")
	if s.Step != StepOTPPassword || MessageKey(s.Err) != "credentials_invalid" {
		t.Fatalf("wrong password: step %v err %v", s.Step, s.Err)
	}
	pw := []byte("secret-Pw-2026")
	h.e.Do(SubmitPassword{Password: pw})
	s = h.settle(StepOTPChannel)
	if len(s.OTPChannels) != 1 || string(pw) != string(make([]byte, len(pw))) {
		t.Fatalf("channel screen: %+v (password zeroed: %v)", s.OTPChannels, pw)
	}
	h.e.Do(SendCode{Kind: api.ChannelSMS})
	if s = h.settle(StepOTPChannel); !errors.Is(s.Err, ErrUnsupportedChannel) {
		t.Fatalf("inactive channel: %v", s.Err)
	}
	h.e.Do(SendCode{Kind: api.ChannelEmail})
	if s = h.settle(StepOTPCode); s.OTPSentTo != "j•••@exemple.fr" {
		t.Fatalf("sent to %q", s.OTPSentTo)
	}
	h.e.Do(SubmitCode{Code: "12345"})
	if s = h.settle(StepOTPCode); !errors.Is(s.Err, ErrOTPFormat) || h.p.called("VerifyOTP") != 0 {
		t.Fatalf("short code: %v", s.Err)
	}
	h.e.Do(SubmitCode{Code: "111111"})
	if s = h.settle(StepOTPCode); MessageKey(s.Err) != "otp_invalid" {
		t.Fatalf("wrong code: %v", s.Err)
	}
	h.e.Do(SubmitCode{Code: "654321", Remember: true})
	s = h.settle(StepSignedIn)
	if s.Session.Method != api.MethodOTP || s.Identifiant != "" || s.OTPSentTo != "" {
		t.Fatalf("banner: %+v", s)
	}
	if v, _ := h.keys.Get("device-token/claire.martin"); v != "dev-1" {
		t.Fatalf("device token not kept: %q", v)
	}
	h.assertSteps(start, StepOTPIdentifiant, StepOTPPassword, StepOTPChannel, StepOTPCode, StepSignedIn)

	h.e.Do(SignOut{})
	h.settle(StepWaitingCard)
	if s = h.otpUpToPassword("Claire.Martin", "secret-Pw-2026"); s.Step != StepSignedIn {
		t.Fatalf("remembered workstation: step %v err %v", s.Step, s.Err)
	}
	h.e.Do(SignOut{})
	h.settle(StepWaitingCard)

	revoke() // someone else signed in here: the portal cancels the 24 h remembering
	s = h.otpUpToPassword("claire.martin", "secret-Pw-2026")
	if s.Step != StepOTPChannel || s.Notice != NoticeDeviceForgotten {
		t.Fatalf("cancelled remembering: step %v notice %q", s.Step, s.Notice)
	}
	if _, err := h.keys.Get("device-token/claire.martin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("stale device token kept: %v", err)
	}
}

// TestOTPNoChannel: an account without a channel is told to sign in once with the card.
func TestOTPNoChannel(t *testing.T) {
	h := newHarness(t, Config{})
	otpPortal(h)
	s := h.otpUpToPassword("nochan.user", "x")
	if s.Step != StepOTPPassword || MessageKey(s.Err) != "otp_no_channel" {
		t.Fatalf("no channel: step %v err %v", s.Step, s.Err)
	}
	h.e.Do(Cancel{})
	if s = h.settle(StepWaitingCard); s.Identifiant != "" {
		t.Fatalf("identifiant kept after cancel: %q", s.Identifiant)
	}
}

// TestOTPForgetWithoutRemember: signing in without "remember" drops an older device token.
func TestOTPForgetWithoutRemember(t *testing.T) {
	h := newHarness(t, Config{})
	otpPortal(h)
	_ = h.keys.Set("device-token/claire.martin", "old-token")
	if s := h.otpUpToPassword("claire.martin", "secret-Pw-2026"); s.Step != StepOTPChannel {
		t.Fatalf("step %v", s.Step)
	}
	h.e.Do(SendCode{Kind: api.ChannelEmail})
	h.settle(StepOTPCode)
	h.e.Do(SubmitCode{Code: "654321"})
	h.settle(StepSignedIn)
	if _, err := h.keys.Get("device-token/claire.martin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("device token kept without remember: %v", err)
	}
}

func TestIdentifiantFormat(t *testing.T) {
	h := newHarness(t, Config{})
	h.e.Do(ChooseOTP{})
	h.settle(StepOTPIdentifiant)
	for _, bad := range []string{"", "   ", "claire martin", "a\x00b"} {
		h.e.Do(SubmitIdentifiant{Identifiant: bad})
		if s := h.settle(StepOTPIdentifiant); !errors.Is(s.Err, ErrIdentifiantFormat) {
			t.Fatalf("%q: %v", bad, s.Err)
		}
	}
}

// TestHooksNotConfigured: Pro Santé Connect and e-CPS without their port say so.
func TestHooksNotConfigured(t *testing.T) {
	h := newHarness(t, Config{})
	h.e.Do(ChoosePSC{})
	if s := h.settle(StepPSC); !errors.Is(s.Err, ErrNotConfigured) || MessageKey(s.Err) != "not_configured" {
		t.Fatalf("psc: %v", s.Err)
	}
	h.e.Do(Cancel{})
	h.settle(StepWaitingCard)
	h.e.Do(ChooseECPS{})
	if s := h.settle(StepECPS); !errors.Is(s.Err, ErrNotConfigured) {
		t.Fatalf("ecps: %v", s.Err)
	}
}
