package agent_test

import (
	"errors"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestRealPortalFirstSignIn: seed 004's whole first sign-in against the real portal: card,
// PIN, profile, desk phone, first password (the portal's policy refuses a weak one), OTP
// e-mail channel tested with the code received over SMTP and validated, then the banner.
func TestRealPortalFirstSignIn(t *testing.T) {
	pt, smtp, _ := authPortal(t)
	st := newStation(t, pt, "ws-first", holder(t, pt, "CLAIRE", "DUPONT"))
	st.signInToPhone()
	st.e.Do(agent.LinkPhone{Number: "1003"})
	s := st.at(agent.StepSetPassword)
	if s.Policy == nil || s.Policy.MinLength < 12 {
		t.Fatalf("policy %+v", s.Policy)
	}
	st.e.Do(agent.SetPassword{New: []byte("Samu-Lyon-2026!"), Confirm: []byte("Samu-Lyon-2026?")})
	if s = st.until("mismatch", func(s agent.Snapshot) bool { return s.Err != nil }); !errors.Is(s.Err, agent.ErrPasswordMismatch) {
		t.Fatalf("mismatch: %v", s.Err)
	}
	st.e.Do(agent.SetPassword{New: []byte("court"), Confirm: []byte("court")})
	if s = st.until("weak password", func(s agent.Snapshot) bool { return s.Err != nil && s.Step == agent.StepSetPassword }); agent.MessageKey(s.Err) != "password_policy" {
		t.Fatalf("weak password: %v", s.Err)
	}
	st.e.Do(agent.SetPassword{New: []byte("Samu-Lyon-2026!"), Confirm: []byte("Samu-Lyon-2026!")})
	s = st.at(agent.StepOTPChannels)
	if hasActive(s.Channels) {
		t.Fatalf("channels before any: %+v", s.Channels)
	}
	st.e.Do(agent.TestChannel{Kind: api.ChannelEmail, Value: "claire@samu.test"})
	if s = st.until("code sent", func(s agent.Snapshot) bool { return s.PendingAction != "" || s.Err != nil }); s.Err != nil {
		t.Fatalf("test channel: %v", s.Err)
	}
	st.e.Do(agent.ValidateChannel{Kind: api.ChannelEmail, Code: mailedCode(t, smtp, 1)})
	if s = st.until("channel validated", func(s agent.Snapshot) bool { return hasActive(s.Channels) || s.Err != nil }); s.Err != nil {
		t.Fatalf("validate channel: %v", s.Err)
	}
	st.e.Do(agent.ChannelsDone{})
	s = st.at(agent.StepSignedIn)
	if len(s.Session.RequiredActions) != 0 || s.Session.Phone != "1003" || s.TimeLeft <= 0 || s.Notice != "" {
		t.Fatalf("banner: actions %v phone %q time left %v notice %q", s.Session.RequiredActions, s.Session.Phone, s.TimeLeft, s.Notice)
	}
}

func hasActive(chs []api.Channel) bool {
	for _, c := range chs {
		if c.Active {
			return true
		}
	}
	return false
}
