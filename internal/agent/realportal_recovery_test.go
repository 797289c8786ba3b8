package agent_test

import (
	"context"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// The recovery screens' engine against a real portal, its link and the real SMTP test server.

const (
	recoverPW   = "Samu-Lyon-2026!"
	secretReply = "rue des lilas"
	jeanneMail  = "jeanne@samu.test"
)

// offsetClock is the portal's clock, moved forward by the tests (atomically: the portal's
// goroutines read it).
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) add(d time.Duration) { c.off.Add(int64(d)) }

// recoveryPortal starts a portal with jeanne.testeuse (password, e-mail channel, secret
// question) and the clock the test moves.
func recoveryPortal(t *testing.T) (*portaltest.Portal, *smtptest.Server, *offsetClock) {
	clk := &offsetClock{}
	pt, srv, auth := portaltest.StartAuth(t, func(o *server.Options) { o.Store.SetClock(clk.now) })
	portaltest.EnrolOTPUser(t, pt, auth, recoverPW)
	ctx := context.Background()
	u, err := pt.Store.UserByIdentifiant(ctx, portaltest.OTPUser)
	if err != nil {
		t.Fatal(err)
	}
	h, err := auth.Hasher.Hash(ctx, []byte(secretReply))
	if err != nil {
		t.Fatal(err)
	}
	if err := pt.Store.SetSecret(ctx, u.ID, api.SecretQuestions[0], h, store.AuditEntry{Event: "test"}); err != nil {
		t.Fatal(err)
	}
	return pt, srv, clk
}

var sumRe = regexp.MustCompile(`(\d+)\s*([+-])\s*(\d+)`)

func solve(t *testing.T, q string) string {
	m := sumRe.FindStringSubmatch(q)
	if m == nil {
		t.Fatalf("captcha %q", q)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	if m[2] == "-" {
		b = -b
	}
	return strconv.Itoa(a + b)
}

// recover runs a recovery of kind from the OTP path's link up to the final screen and returns
// the snapshot of each of its three steps.
func (st *station) recover(kind, name, reply string) [3]agent.Snapshot {
	st.t.Helper()
	var out [3]agent.Snapshot
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	if kind == api.RecoverPassword {
		st.e.Do(agent.ForgotPassword{})
	} else {
		st.e.Do(agent.ForgotIdentifiant{})
	}
	out[0] = st.until("captcha", func(s agent.Snapshot) bool { return s.Step == agent.StepRecoverName && s.Recovery.Captcha != "" })
	st.e.Do(agent.SubmitRecoveryName{Name: name, CaptchaAnswer: solve(st.t, out[0].Recovery.Captcha)})
	out[1] = st.at(agent.StepRecoverQuestion)
	st.e.Do(agent.SubmitRecoveryAnswer{Answer: []byte(reply)})
	out[2] = st.at(agent.StepRecoverDone)
	return out
}

// mailsTo returns the bodies of the mails sent to addr.
func mailsTo(t *testing.T, srv *smtptest.Server, addr string) []string {
	var out []string
	for _, m := range srv.Messages() {
		if len(m.To) > 0 && m.To[0] == addr {
			b, err := m.Body()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// waitMail waits for the n-th mail to addr.
func waitMail(t *testing.T, srv *smtptest.Server, addr string, n int) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ms := mailsTo(t, srv, addr); len(ms) >= n {
			return ms[n-1]
		}
	}
	t.Fatalf("mail %d to %s never came", n, addr)
	return ""
}

// waitMatch waits for a mail to addr after the first skip ones whose body matches re, and
// returns re's first group (other mails, such as confirmations, may come in between).
func waitMatch(t *testing.T, srv *smtptest.Server, addr string, skip int, re *regexp.Regexp) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ms := mailsTo(t, srv, addr)
		for i := skip; i < len(ms); i++ {
			if m := re.FindStringSubmatch(ms[i]); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no mail to %s after the first %d matches %s", addr, skip, re)
	return ""
}

var (
	tokenRe = regexp.MustCompile(`/reinitialisation\?jeton=(\S+)`)
	codeRe  = regexp.MustCompile(`\b(\d{6})\b`)
)

// TestRealPortalForgottenIdentifiant: the arithmetic question (a wrong answer gets a new
// question), the secret question, the final sentence, and the mail holds the identifiant.
func TestRealPortalForgottenIdentifiant(t *testing.T) {
	pt, smtp, _ := recoveryPortal(t)
	st := newStation(t, pt, "ws-rec", nil)
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.ForgotIdentifiant{})
	s := st.until("captcha", func(s agent.Snapshot) bool { return s.Step == agent.StepRecoverName && s.Recovery.Captcha != "" })
	if !strings.HasPrefix(s.Recovery.Captcha, "Veuillez résoudre l'opération suivante") || s.Recovery.Kind != api.RecoverIdentifiant {
		t.Fatalf("first step %+v", s.Recovery)
	}
	first := s.Recovery.Captcha
	wrong, _ := strconv.Atoi(solve(t, first))
	st.e.Do(agent.SubmitRecoveryName{Name: "JEANNE@samu.test", CaptchaAnswer: strconv.Itoa(wrong + 1)})
	s = st.until("captcha refused", func(s agent.Snapshot) bool { return s.Err != nil && s.Recovery.Captcha != "" })
	if agent.MessageKey(s.Err) != api.CodeCaptchaInvalid || s.Step != agent.StepRecoverName || s.Recovery.Name != "JEANNE@samu.test" {
		t.Fatalf("wrong sum: step %v err %v view %+v", s.Step, s.Err, s.Recovery)
	}
	st.e.Do(agent.SubmitRecoveryName{Name: "JEANNE@samu.test", CaptchaAnswer: solve(t, s.Recovery.Captcha)})
	if s = st.at(agent.StepRecoverQuestion); s.Recovery.Question != api.SecretQuestions[0] {
		t.Fatalf("question %q", s.Recovery.Question)
	}
	st.e.Do(agent.SubmitRecoveryAnswer{Answer: []byte("  Rue des LILAS ")})
	st.at(agent.StepRecoverDone)
	if body := waitMail(t, smtp, jeanneMail, 1); !strings.Contains(body, "jeanne.testeuse") {
		t.Fatalf("identifiant mail %q", body)
	}
}

// TestRealPortalForgottenPassword: « Mot de passe oublié ? » with the identifiant typed on
// the OTP path, the link's validity from the portal's policy, the mailed link used once
// (as the page does) and signing in with the new password; then an expired link, its resend
// and the fresh link.
func TestRealPortalForgottenPassword(t *testing.T) {
	pt, smtp, clk := recoveryPortal(t)
	st := newStation(t, pt, "ws-rec", nil)
	c := st.p.Client
	ctx := context.Background()
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.SubmitIdentifiant{Identifiant: portaltest.OTPUser})
	st.at(agent.StepOTPPassword)
	st.e.Do(agent.ForgotPassword{})
	s := st.until("captcha", func(s agent.Snapshot) bool { return s.Step == agent.StepRecoverName && s.Recovery.Captcha != "" })
	if s.Recovery.Name != portaltest.OTPUser || s.Recovery.LinkMinutes != 15 {
		t.Fatalf("first step %+v (identifiant kept, 15 minutes from the policy)", s.Recovery)
	}
	st.e.Do(agent.SubmitRecoveryName{Name: s.Recovery.Name, CaptchaAnswer: solve(t, s.Recovery.Captcha)})
	st.at(agent.StepRecoverQuestion)
	st.e.Do(agent.SubmitRecoveryAnswer{Answer: []byte(secretReply)})
	st.at(agent.StepRecoverDone)
	tok := waitMatch(t, smtp, jeanneMail, 0, tokenRe)

	const newPW = "Nouveau#Samu-2026"
	if err := c.ResetPassword(ctx, tok, []byte(newPW), []byte(newPW)); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetPassword(ctx, tok, []byte("Autre#Samu-2026x"), []byte("Autre#Samu-2026x")); api.CodeOf(err) != api.CodeLinkInvalid {
		t.Fatalf("second use of the link: %v", err)
	}
	st.signInOTP(smtp, newPW)

	st.e.Do(agent.SignOut{})
	st.at(agent.StepWaitingCard)
	n := len(mailsTo(t, smtp, jeanneMail))
	st.recover(api.RecoverPassword, portaltest.OTPUser, secretReply)
	old := waitMatch(t, smtp, jeanneMail, n, tokenRe)
	clk.add(16 * time.Minute)
	if _, err := c.LinkInfo(ctx, old); api.CodeOf(err) != api.CodeLinkInvalid {
		t.Fatalf("expired link: %v", err)
	}
	n = len(mailsTo(t, smtp, jeanneMail)) // the old link's mail is among them
	if _, err := c.ResendLink(ctx, old); err != nil {
		t.Fatal(err)
	}
	fresh := waitMatch(t, smtp, jeanneMail, n, tokenRe)
	const third = "Troisieme#Samu-26"
	if err := c.ResetPassword(ctx, fresh, []byte(third), []byte(third)); err != nil {
		t.Fatalf("fresh link: %v", err)
	}
	st.signInOTP(smtp, third)
}

// signInOTP signs jeanne.testeuse in on the OTP path with pw and the mailed code.
func (st *station) signInOTP(smtp *smtptest.Server, pw string) {
	st.t.Helper()
	st.e.Do(agent.ChooseOTP{})
	st.at(agent.StepOTPIdentifiant)
	st.e.Do(agent.SubmitIdentifiant{Identifiant: portaltest.OTPUser})
	st.at(agent.StepOTPPassword)
	st.e.Do(agent.SubmitPassword{Password: []byte(pw)})
	s := st.until("password checked", func(s agent.Snapshot) bool { return s.Step == agent.StepOTPChannel || s.Err != nil })
	if s.Step != agent.StepOTPChannel {
		st.t.Fatalf("password refused: %v", s.Err)
	}
	n := len(mailsTo(st.t, smtp, jeanneMail))
	st.e.Do(agent.SendCode{Kind: api.ChannelEmail})
	st.at(agent.StepOTPCode)
	code := waitMatch(st.t, smtp, jeanneMail, n, codeRe)
	st.e.Do(agent.SubmitCode{Code: code})
	if s = st.until("signed in", func(s agent.Snapshot) bool { return s.Session != nil || s.Err != nil }); s.Session == nil {
		st.t.Fatalf("sign-in with the new password: %v", s.Err)
	}
}

// TestRealPortalRecoveryNoEnumeration: the screens of a right account with a wrong answer,
// an unknown name and an account without a secret question are the same, step by step
// (only the question differs: the portal shows a decoy), and no mail goes out.
func TestRealPortalRecoveryNoEnumeration(t *testing.T) {
	pt, smtp, _ := recoveryPortal(t)
	ctx := context.Background()
	if err := pt.Store.AddUser(ctx, &store.User{Identifiant: "paul.sansquestion", GivenName: "Paul", FamilyName: "Sansquestion",
		Email: "paul@samu.test", Habilitation: true}, nil); err != nil {
		t.Fatal(err)
	}
	st := newStation(t, pt, "ws-rec", nil)
	var runs [][3]agent.Snapshot
	for _, name := range []string{portaltest.OTPUser, "personne.inconnue", "paul.sansquestion"} {
		runs = append(runs, st.recover(api.RecoverPassword, name, "mauvaise reponse"))
		st.e.Do(agent.Cancel{})
		st.at(agent.StepWaitingCard)
	}
	norm := func(s agent.Snapshot) agent.Snapshot {
		v := *s.Recovery
		v.Name, v.Captcha, v.Question = "", "", ""
		s.Recovery = &v
		return s
	}
	for i := 1; i < len(runs); i++ {
		for step := range runs[i] {
			a, b := norm(runs[0][step]), norm(runs[i][step])
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("run %d step %d differs:\n%+v\n%+v", i, step, a, b)
			}
		}
		if q := runs[i][1].Recovery.Question; !contains(api.SecretQuestions, q) {
			t.Fatalf("question %q is not one of the list", q)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d mails sent for wrong answers and unknown names", n)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
