package agent_test

import (
	"regexp"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
)

// toBanner answers the required actions of a fresh session (profile, phone) up to the banner.
func (st *station) toBanner(phone string) {
	st.t.Helper()
	for i := 0; i < 4; i++ {
		s := st.e.Current()
		switch s.Step {
		case agent.StepSignedIn:
			return
		case agent.StepChooseProfile:
			if len(s.Profiles) == 0 {
				break
			}
			st.e.Do(agent.ChooseProfile{ID: s.Profiles[0].ID})
		case agent.StepLinkPhone:
			st.e.Do(agent.LinkPhone{Number: phone})
		default:
			st.t.Fatalf("unexpected step %v", s.Step)
		}
		st.until("next step", func(n agent.Snapshot) bool { return n.Step != s.Step || n.Err != nil })
	}
	st.at(agent.StepSignedIn)
}

// TestRealPortalChangePassword: « Modifier mon mot de passe » from the banner's menu with
// « Se déconnecter des autres appareils »: the banner says the change is done, seed 001's
// confirmation mail arrives, the other workstation's session ends, and the new password
// signs in.
func TestRealPortalChangePassword(t *testing.T) {
	pt, smtp, _ := recoveryPortal(t)
	st, other := newStation(t, pt, "ws-a", nil), newStation(t, pt, "ws-b", nil)
	st.signInOTP(smtp, recoverPW)
	st.toBanner(portaltest.Phones[0])
	other.signInOTP(smtp, recoverPW)
	other.toBanner(portaltest.Phones[1])
	st.e.Do(agent.OpenChangePwd{})
	s := st.at(agent.StepChangePassword)
	if s.Policy == nil || s.Policy.MinLength < 8 {
		t.Fatalf("policy for the checklist: %+v", s.Policy)
	}
	const newPW = "Change#Samu-2027"
	st.e.Do(agent.ChangePassword{Old: []byte("Faux#Samu-2026x"), New: []byte(newPW), Confirm: []byte(newPW)})
	if s = st.until("refused", func(s agent.Snapshot) bool { return s.Err != nil }); s.Step != agent.StepChangePassword {
		t.Fatalf("wrong old password: step %v", s.Step)
	}
	n := len(mailsTo(t, smtp, jeanneMail))
	st.e.Do(agent.ChangePassword{Old: []byte(recoverPW), New: []byte(newPW), Confirm: []byte(newPW), SignOutOthers: true})
	s = st.until("changed", func(s agent.Snapshot) bool { return s.Notice == agent.NoticePasswordChanged })
	if s.Step != agent.StepSignedIn || s.Session == nil {
		t.Fatalf("after the change: step %v", s.Step)
	}
	waitMatch(t, smtp, jeanneMail, n, regexp.MustCompile(`(Si vous n'avez pas effectué ce changement)`))
	other.until("other workstation signed out", func(s agent.Snapshot) bool { return s.Session == nil })

	st.e.Do(agent.SignOut{})
	st.at(agent.StepWaitingCard)
	st.signInOTP(smtp, newPW)
}
