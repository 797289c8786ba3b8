package server_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

const (
	question = "Dans quelle rue avez-vous grandi ?"
	answer   = "Rue des Écoles"
)

// withQuestion enrols an account and sets its secret question through a session.
func (rig *authRig) withQuestion(t *testing.T, ident, mail string) api.SignIn {
	t.Helper()
	rig.account(t, ident, mail, goodPW, map[string]string{api.ChannelEmail: mail})
	in := rig.signIn(t, ident, goodPW, "poste-1", mail)
	s, err := rig.c.SetSecretQuestion(context.Background(), in.Token, question, answer)
	mustOK(t, err)
	if slices.Contains(s.RequiredActions, api.ActionSetSecretQuestion) {
		t.Fatalf("set_secret_question still owed: %v", s.RequiredActions)
	}
	return in
}

// recover runs captcha → start → answer and returns the question shown and the final message.
func (rig *authRig) recover(t *testing.T, kind, name, ans string) (string, string) {
	t.Helper()
	ctx := context.Background()
	c, err := rig.c.Captcha(ctx)
	mustOK(t, err)
	step, err := rig.c.RecoveryStart(ctx, api.RecoveryStartRequest{Kind: kind, Name: name,
		CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)})
	mustOK(t, err)
	msg, err := rig.c.RecoveryAnswer(ctx, step.RecoveryID, ans)
	mustOK(t, err)
	return step.Question, msg
}

var linkRe = regexp.MustCompile(`https://portail\.test/reset#(\S+)`)

func (rig *authRig) lastLink(t *testing.T, mail string, n int) string {
	t.Helper()
	waitMail(t, rig, mail, n)
	m := linkRe.FindStringSubmatch(rig.mails(t, mail)[n-1])
	if m == nil {
		t.Fatalf("no link in mail %d", n)
	}
	return m[1]
}

func TestForgottenPasswordLink(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "jeanne@samu.test"
		open := rig.withQuestion(t, "jeanne.testeuse", mail)
		base := len(rig.mails(t, mail))

		c, err := rig.c.Captcha(ctx)
		mustOK(t, err)
		_, err = rig.c.RecoveryStart(ctx, api.RecoveryStartRequest{Kind: api.RecoverPassword, Name: "jeanne.testeuse",
			CaptchaToken: c.Token, CaptchaAnswer: "99"})
		wantCode(t, err, api.CodeCaptchaInvalid)

		q, msg := rig.recover(t, api.RecoverPassword, "jeanne.testeuse", "  rue des ecoles ")
		if q != question || msg != server.MsgRecoveryDoneFR {
			t.Fatalf("question %q, message %q", q, msg)
		}
		tok := rig.lastLink(t, mail, base+1)
		info, err := rig.c.LinkInfo(ctx, tok)
		mustOK(t, err)
		if info.Identifiant != "jeanne.testeuse" || info.Policy.Name != "sante" {
			t.Fatalf("link info %+v", info)
		}
		err = rig.c.ResetPassword(ctx, tok, []byte("court"), []byte("court"))
		wantCode(t, err, api.CodePasswordPolicy) // the link survives a refused password
		err = rig.c.ResetPassword(ctx, tok, []byte("Neuf#mot2passe-ok"), []byte("Neuf#mot2passe-ko"))
		wantCode(t, err, api.CodePasswordMismatch)
		mustOK(t, rig.c.ResetPassword(ctx, tok, []byte("Neuf#mot2passe-ok"), []byte("Neuf#mot2passe-ok")))
		waitMail(t, rig, mail, base+2) // "votre mot de passe a été modifié"
		_, err = rig.c.Session(ctx, open.Token)
		wantCode(t, err, api.CodeSessionRevoked) // the reset ends the open sessions
		err = rig.c.ResetPassword(ctx, tok, []byte("Autre#mot2passe-ok"), []byte("Autre#mot2passe-ok"))
		wantCode(t, err, api.CodeLinkInvalid) // single use
		_, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte("Neuf#mot2passe-ok"), "poste-1", "")
		mustOK(t, err)

		// 15 minutes, then a resend gives a fresh link.
		rig.recover(t, api.RecoverPassword, mail, answer) // by e-mail address this time
		tok = rig.lastLink(t, mail, base+3)
		rig.clk.Add(15 * time.Minute)
		_, err = rig.c.LinkInfo(ctx, tok)
		wantCode(t, err, api.CodeLinkInvalid)
		err = rig.c.ResetPassword(ctx, tok, []byte("Autre#mot2passe-ok"), []byte("Autre#mot2passe-ok"))
		wantCode(t, err, api.CodeLinkInvalid)
		msg, err = rig.c.ResendLink(ctx, tok)
		mustOK(t, err)
		if msg != server.MsgRecoveryDoneFR {
			t.Fatalf("resend message %q", msg)
		}
		fresh := rig.lastLink(t, mail, base+4)
		mustOK(t, rig.c.ResetPassword(ctx, fresh, []byte("Autre#mot2passe-ok"), []byte("Autre#mot2passe-ok")))
		waitMail(t, rig, mail, base+5)

		// A wrong answer sends nothing and answers the same.
		_, msg = rig.recover(t, api.RecoverPassword, "jeanne.testeuse", "mauvaise réponse")
		if msg != server.MsgRecoveryDoneFR {
			t.Fatalf("message %q", msg)
		}
		time.Sleep(300 * time.Millisecond)
		if got := len(rig.mails(t, mail)); got != base+5 {
			t.Fatalf("wrong answer sent %d mails", got-base-5)
		}
		assertNoSecretInAudit(t, rig, answer, tok, fresh)
		if rig.auditCount(t, store.AuditRecovery, store.ResultRefused) == 0 || rig.auditCount(t, store.AuditRecovery, store.ResultOK) == 0 {
			t.Fatal("recovery steps not audited")
		}
	})
}

func TestForgottenIdentifiant(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	const mail = "jeanne@samu.test"
	rig.withQuestion(t, "jeanne.testeuse", mail)
	n := len(rig.mails(t, mail))
	q, msg := rig.recover(t, api.RecoverIdentifiant, "JEANNE@samu.test", answer)
	if q != question || msg != server.MsgRecoveryDoneFR {
		t.Fatalf("question %q, message %q", q, msg)
	}
	waitMail(t, rig, mail, n+1)
	if body := rig.mails(t, mail)[n]; !strings.Contains(body, "jeanne.testeuse") {
		t.Fatalf("reminder %q", body)
	}
}

// TestRecoveryByOTPChannel: an account without a secret question (a card user who set a
// password and channels) recovers with a code sent to its active phone; an unknown name gets
// the same answers, and no code goes anywhere.
func TestRecoveryByOTPChannel(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "paul@samu.test"
		rig.account(t, "paul.carte", mail, goodPW, map[string]string{api.ChannelSMS: "+33612345678"})
		step := func(name string) string {
			c, err := rig.c.Captcha(ctx)
			mustOK(t, err)
			st, err := rig.c.RecoveryStart(ctx, api.RecoveryStartRequest{Kind: api.RecoverPassword, Name: name,
				CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)})
			mustOK(t, err)
			return st.RecoveryID
		}
		id := step("paul.carte")
		msg, err := rig.c.RecoveryOTP(ctx, id, api.ChannelSMS)
		mustOK(t, err)
		unknown := step("personne.inconnue")
		msg2, err := rig.c.RecoveryOTP(ctx, unknown, api.ChannelSMS)
		mustOK(t, err)
		if msg != server.MsgRecoveryOTPFR || msg2 != msg {
			t.Fatalf("messages %q / %q", msg, msg2)
		}
		code := rig.lastCode(t, "+33612345678", 1)
		done, err := rig.c.RecoveryCode(ctx, unknown, code)
		mustOK(t, err)
		if done != server.MsgRecoveryDoneFR {
			t.Fatalf("unknown: %q", done)
		}
		done, err = rig.c.RecoveryCode(ctx, id, code)
		mustOK(t, err)
		if done != server.MsgRecoveryDoneFR {
			t.Fatalf("code: %q", done)
		}
		tok := rig.lastLink(t, mail, 1)
		mustOK(t, rig.c.ResetPassword(ctx, tok, []byte("Neuf#mot2passe-ok"), []byte("Neuf#mot2passe-ok")))
		if n := len(rig.sms.texts("+33612345678")); n != 1 {
			t.Fatalf("%d SMS, want 1", n)
		}

		// A wrong code ends the flow without a link.
		id = step("paul.carte")
		_, err = rig.c.RecoveryOTP(ctx, id, api.ChannelSMS)
		mustOK(t, err)
		code = rig.lastCode(t, "+33612345678", 2)
		done, err = rig.c.RecoveryCode(ctx, id, wrongCode(code))
		mustOK(t, err)
		_, err = rig.c.RecoveryCode(ctx, id, code)
		mustOK(t, err)
		time.Sleep(300 * time.Millisecond)
		if n := len(rig.mails(t, mail)); n != 2 { // the link, then the change confirmation
			t.Fatalf("%d mails after a wrong code, want 2", n)
		}
	})
}
