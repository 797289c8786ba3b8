package agent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestRealPortalSecretQuestion: an account enrolled by IT signs in with identifiant, password
// and an e-mailed code; the real portal then requires a profile, a desk phone and the secret
// question. The engine shows the portal's questions, the portal refuses an answer too long
// in bytes, takes a good one (stored hashed), and the banner follows with nothing owed.
func TestRealPortalSecretQuestion(t *testing.T) {
	const pw = "Samu-Lyon-2026!"
	pt, smtp := otpPortal(t, pw)
	st := newStation(t, pt, "ws-secret", nil)
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.SubmitIdentifiant{Identifiant: "jeanne.testeuse"})
	st.at(agent.StepOTPPassword)
	st.e.Do(agent.SubmitPassword{Password: []byte(pw)})
	st.at(agent.StepOTPChannel)
	st.e.Do(agent.SendCode{Kind: api.ChannelEmail})
	st.at(agent.StepOTPCode)
	st.e.Do(agent.SubmitCode{Code: mailedCode(t, smtp, 1)})
	s := st.at(agent.StepChooseProfile)
	st.e.Do(agent.ChooseProfile{ID: s.Profiles[0].ID})
	st.at(agent.StepLinkPhone)
	st.e.Do(agent.LinkPhone{Number: "1002"})
	s = st.at(agent.StepSecretQuestion)
	if len(s.SecretQuestions) != len(api.SecretQuestions) {
		t.Fatalf("questions %q", s.SecretQuestions)
	}
	q := s.SecretQuestions[3]
	long := []byte(strings.Repeat("€", 100)) // 100 characters, 300 bytes
	st.e.Do(agent.SetSecretQuestion{Question: q, Answer: long, Confirm: append([]byte(nil), long...)})
	s = st.until("refusal", func(s agent.Snapshot) bool { return s.Err != nil })
	if s.Step != agent.StepSecretQuestion || agent.MessageKey(s.Err) != api.CodeInvalidRequest {
		t.Fatalf("300-byte answer: step %v err %v", s.Step, s.Err)
	}
	st.e.Do(agent.SetSecretQuestion{Question: q, Answer: []byte("Élodie Martin"), Confirm: []byte("Élodie Martin")})
	s = st.at(agent.StepSignedIn)
	if len(s.Session.RequiredActions) != 0 || s.Session.Phone != "1002" {
		t.Fatalf("banner: actions %v phone %q", s.Session.RequiredActions, s.Session.Phone)
	}
	c, err := pt.Store.CredentialsOf(context.Background(), s.Session.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretQuestion != q || c.SecretAnswerHash == "" || c.SecretAnswerHash == "élodie martin" {
		t.Fatalf("stored question %q, answer hash set %v", c.SecretQuestion, c.SecretAnswerHash != "")
	}
}
