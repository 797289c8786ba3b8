package agent

import (
	"errors"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestFirstSignIn follows seed 004's first sign-in: card → PIN (one wrong) → profile (last
// preselected) → desk phone (unknown, then taken → takeover) → first password → OTP channels
// → banner.
func TestFirstSignIn(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "SN-A", 3)
	h.p.actions = []string{api.ActionChooseProfile, api.ActionLinkPhone, api.ActionSetPassword, api.ActionSetOTPChannels}
	h.p.profiles = api.Profiles{Profiles: []api.Profile{
		{ID: "p1", Label: "ARM", Entity: api.Entity{ID: "e1", Name: "SAMU 69"}},
		{ID: "p2", Label: "ARM", Entity: api.Entity{ID: "e2", Name: "SAMU 01"}}}}
	_ = h.prefs.Set(PrefLastProfile, "p2")
	_ = h.prefs.Set(PrefLastPhone, "4242")
	h.p.linkErr = func(req api.LinkPhoneRequest) error {
		switch {
		case req.Number == "9999":
			return &api.Error{Code: api.CodePhoneUnknown}
		case req.Number == "4242" && !req.Takeover:
			return &api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "DURAND Paul"}}
		}
		return nil
	}
	start := h.mark()

	h.mon.insert(readerA, true)
	s := h.settle(StepPIN)
	if s.TriesLeft != 3 || s.Card == nil || s.Card.HolderName != "MARTIN Claire" || s.Card.Serial != "" {
		t.Fatalf("PIN screen: tries %d card %+v", s.TriesLeft, s.Card)
	}

	wrong := []byte("0000")
	h.e.Do(SubmitPIN{PIN: wrong})
	s = h.settle(StepPIN)
	var pe *PINError
	if !errors.As(s.Err, &pe) || pe.TriesLeft != 2 || s.TriesLeft != 2 || MessageKey(s.Err) != KeyPINIncorrect {
		t.Fatalf("wrong PIN: err %v tries %d", s.Err, s.TriesLeft)
	}
	if string(wrong) != "\x00\x00\x00\x00" {
		t.Fatalf("PIN bytes not zeroed after use: %q", wrong)
	}

	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s = h.settle(StepChooseProfile)
	if len(s.Profiles) != 2 || s.LastProfileID != "p2" || s.LastPhone != "4242" || s.Session == nil {
		t.Fatalf("profile screen: %+v", s)
	}
	if h.tok.loginCount() != 2 {
		t.Fatalf("Login called %d times, want 2 (never retried)", h.tok.loginCount())
	}

	h.e.Do(ChooseProfile{ID: "nope"})
	if s = h.settle(StepChooseProfile); !errors.Is(s.Err, ErrProfileUnknown) {
		t.Fatalf("unknown profile: %v", s.Err)
	}
	h.e.Do(ChooseProfile{ID: "p2"})
	s = h.settle(StepLinkPhone)
	if s.Session.Profile == nil || s.Session.Profile.ID != "p2" || h.prefs.Get(PrefLastProfile) != "p2" {
		t.Fatalf("profile not applied: %+v", s.Session.Profile)
	}

	h.e.Do(LinkPhone{Number: "12a"})
	if s = h.settle(StepLinkPhone); !errors.Is(s.Err, ErrPhoneFormat) {
		t.Fatalf("bad phone format: %v", s.Err)
	}
	h.e.Do(LinkPhone{Number: "99 99"})
	if s = h.settle(StepLinkPhone); MessageKey(s.Err) != "phone_unknown" {
		t.Fatalf("unknown phone: %v", s.Err)
	}
	h.e.Do(LinkPhone{Number: "4242"})
	s = h.settle(StepLinkPhone)
	if MessageKey(s.Err) != "phone_taken" || s.Holder != "DURAND Paul" {
		t.Fatalf("taken phone: err %v holder %q", s.Err, s.Holder)
	}
	h.e.Do(LinkPhone{Number: "4242", Takeover: true})
	s = h.settle(StepSetPassword)
	if s.Session.Phone != "4242" || s.Policy == nil || s.Policy.MinLength != 12 || h.prefs.Get(PrefLastPhone) != "4242" {
		t.Fatalf("after takeover: phone %q policy %+v", s.Session.Phone, s.Policy)
	}

	pw, confirm := []byte("Samu-Lyon-2026!"), []byte("Samu-Lyon-2026?")
	h.e.Do(SetPassword{New: pw, Confirm: confirm})
	if s = h.settle(StepSetPassword); !errors.Is(s.Err, ErrPasswordMismatch) || h.p.called("SetPassword") != 0 {
		t.Fatalf("mismatch: %v", s.Err)
	}
	h.e.Do(SetPassword{New: []byte("Samu-Lyon-2026!"), Confirm: []byte("Samu-Lyon-2026!")})
	s = h.settle(StepOTPChannels)
	if len(s.Channels) != 0 {
		t.Fatalf("channels: %+v", s.Channels)
	}

	h.e.Do(TestChannel{Kind: api.ChannelSMS, Value: "06 12 34 56 78"})
	if s = h.settle(StepOTPChannels); s.PendingAction != api.ChannelSMS || s.Notice != NoticeCodeSent {
		t.Fatalf("test channel: %+v", s)
	}
	h.e.Do(ValidateChannel{Kind: api.ChannelSMS, Code: "000000"})
	if s = h.settle(StepOTPChannels); MessageKey(s.Err) != "otp_invalid" {
		t.Fatalf("wrong channel code: %v", s.Err)
	}
	h.e.Do(ValidateChannel{Kind: api.ChannelSMS, Code: "123456"})
	if s = h.settle(StepOTPChannels); !hasActive(s.Channels) {
		t.Fatalf("channel not active: %+v", s.Channels)
	}
	h.e.Do(ChannelsDone{})
	s = h.settle(StepSignedIn)
	if s.Session == nil || len(s.Session.RequiredActions) != 0 || s.TimeLeft.Minutes() != 30 || s.Notice != "" {
		t.Fatalf("banner: %+v", s)
	}
	h.assertSteps(start, StepPIN, StepSigningIn, StepChooseProfile, StepLinkPhone,
		StepSetPassword, StepOTPChannels, StepSignedIn)
}

// TestChannelsSkippedThenReminded: channels left for later give a reminder on the banner;
// with the "required" policy they cannot be left.
func TestChannelsPolicy(t *testing.T) {
	for _, policy := range []string{ChannelsSkippable, ChannelsRequired} {
		t.Run(policy, func(t *testing.T) {
			h := newHarness(t, Config{OTPChannels: policy})
			h.tok.put(readerA, "MARTIN Claire", "", 3)
			h.p.actions = []string{api.ActionSetOTPChannels}
			h.mon.insert(readerA, true)
			h.settle(StepPIN)
			h.e.Do(SubmitPIN{PIN: []byte("1234")})
			h.settle(StepOTPChannels)
			h.e.Do(ChannelsDone{})
			if policy == ChannelsRequired {
				s := h.settle(StepOTPChannels)
				if !errors.Is(s.Err, ErrChannelsRequired) {
					t.Fatalf("required channels left: %v", s.Err)
				}
				return
			}
			s := h.settle(StepSignedIn)
			if s.Notice != NoticeOTPChannelsReminder {
				t.Fatalf("no reminder: %q", s.Notice)
			}
			h.e.Do(OpenChannels{})
			h.settle(StepOTPChannels)
			h.e.Do(ChannelsDone{})
			if s = h.settle(StepSignedIn); s.Notice != "" {
				t.Fatalf("reminder shown twice: %q", s.Notice)
			}
		})
	}
}

// TestCancelRequiredActionSignsOut: leaving a required action abandons the sign-in.
func TestCancelRequiredActionSignsOut(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.actions = []string{api.ActionLinkPhone}
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepLinkPhone)
	h.e.Do(Cancel{})
	s := h.settle(StepWaitingCard)
	if s.Session != nil || s.Notice != NoticeSignedOut || s.Card == nil {
		t.Fatalf("after cancel: %+v", s)
	}
	h.eventually("sign-out of the abandoned session", func() bool { return h.p.wasSignedOut("tok-1") })
}
