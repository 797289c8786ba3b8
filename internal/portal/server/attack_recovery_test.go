package server_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestAttackCaptchaReplay: finding 9. An answered captcha token is spent: sent again as is,
// with a line break or a carriage return inserted (the base64 decoder skips them), or to
// another instance on the same database (what a restart also is), it is refused.
func TestAttackCaptchaReplay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		open := sharedDB(t, dialect)
		a := startAuthWith(t, open())
		b := startAuthWith(t, open()) // a second process on the same database
		ctx := context.Background()
		c, err := a.c.Captcha(ctx)
		mustOK(t, err)
		req := api.RecoveryStartRequest{Kind: api.RecoverPassword, Name: "personne.inconnue",
			CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)}
		_, err = a.c.RecoveryStart(ctx, req)
		mustOK(t, err)
		i := len(c.Token) / 2
		for name, tok := range map[string]string{"as is": c.Token, "with \\n": c.Token[:i] + "\n" + c.Token[i:],
			"with \\r\\n": c.Token[:i] + "\r\n" + c.Token[i:], "trailing \\n": c.Token + "\n"} {
			for inst, rig := range map[string]*authRig{"same instance": a, "other instance": b} {
				r := req
				r.CaptchaToken, r.Name = tok, "autre.nom"
				if _, err := rig.c.RecoveryStart(ctx, r); err == nil {
					t.Errorf("replayed token (%s) accepted on the %s", name, inst)
				}
			}
		}
	})
}

// TestAttackCaptchaSpentOnReopen: a token spent before the portal's store is closed and
// opened again (a restart) stays spent.
func TestAttackCaptchaSpentOnReopen(t *testing.T) {
	open := sharedDB(t, store.SQLite)
	first := open()
	a := startAuthWith(t, first)
	ctx := context.Background()
	c, err := a.c.Captcha(ctx)
	mustOK(t, err)
	req := api.RecoveryStartRequest{Kind: api.RecoverIdentifiant, Name: "x@samu.test", CaptchaToken: c.Token,
		CaptchaAnswer: solve(t, c.Question)}
	_, err = a.c.RecoveryStart(ctx, req)
	mustOK(t, err)
	first.Close()
	b := startAuthWith(t, open())
	if _, err := b.c.RecoveryStart(ctx, req); err == nil || !strings.Contains(api.CodeOf(err), "captcha") {
		t.Fatalf("token spent before the restart: %v", err)
	}
}

// TestAttackDecoyComparison: finding 3. Three starts — password by identifiant, password by
// e-mail, identifiant by e-mail — show one question for a real account (with or without a
// question of its own) and for an invented identifiant/e-mail pair alike.
func TestAttackDecoyComparison(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		rig.withQuestion(t, "jeanne.testeuse", "jeanne.testeuse@samu.test")
		rig.account(t, "sans.question", "sans.question@samu.test", goodPW, map[string]string{api.ChannelEmail: "sans.question@samu.test"})
		ctx := context.Background()
		start := func(kind, name string) string {
			c, err := rig.c.Captcha(ctx)
			mustOK(t, err)
			step, err := rig.c.RecoveryStart(ctx, api.RecoveryStartRequest{Kind: kind, Name: name,
				CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)})
			mustOK(t, err)
			return step.Question
		}
		for _, id := range []string{"jeanne.testeuse", "sans.question", "paul.invente"} {
			mail := id + "@samu.test"
			q := []string{start(api.RecoverPassword, id), start(api.RecoverPassword, mail), start(api.RecoverIdentifiant, mail)}
			if q[0] != q[1] || q[1] != q[2] {
				t.Errorf("%s: the three starts show %q: they tell whether the pair exists", id, q)
			}
		}
	})
}

// TestAttackStaleLinks: finding 8. A newer link, a reset, and a password change with « se
// déconnecter des autres appareils » each revoke the account's outstanding links.
func TestAttackStaleLinks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "lien@samu.test"
		rig.withQuestion(t, "lien.ancien", mail)
		links := func() []string {
			var out []string
			for _, m := range rig.mails(t, mail) {
				if l := linkRe.FindStringSubmatch(m); l != nil {
					out = append(out, l[1])
				}
			}
			return out
		}
		link := func() string { // the next link mailed (other mails, such as confirmations, come in between)
			n := len(links())
			rig.recover(t, api.RecoverPassword, "lien.ancien", answer)
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if l := links(); len(l) > n {
					return l[n]
				}
			}
			t.Fatal("no link mailed")
			return ""
		}
		dead := func(what, tok string) {
			t.Helper()
			if _, err := rig.c.LinkInfo(ctx, tok); api.CodeOf(err) != api.CodeLinkInvalid {
				t.Errorf("link after %s: %v, want %s", what, err, api.CodeLinkInvalid)
			}
			if err := rig.c.ResetPassword(ctx, tok, []byte("Autre#mot2passe-9"), []byte("Autre#mot2passe-9")); err == nil {
				t.Errorf("link after %s reset the password", what)
			}
		}
		first, second := link(), link()
		dead("a newer link", first)
		third := link()
		mustOK(t, rig.c.ResetPassword(ctx, third, []byte("Neuf#mot2passe-ok"), []byte("Neuf#mot2passe-ok")))
		dead("a reset with another link", second)
		fourth := link()
		in := rig.signIn(t, "lien.ancien", "Neuf#mot2passe-ok", "poste-1", mail)
		_, err := rig.c.SetPassword(ctx, in.Token, []byte("Neuf#mot2passe-ok"), []byte("Encore#mot2passe-1"), true)
		mustOK(t, err)
		dead("a password change signing out the other devices", fourth)
	})
}

// TestAttackCodeFlooding: finding 5. Anonymous recovery flows cannot send an account more
// than AuthOptions.CodesPerHour codes an hour (sign-in codes included); the requester gets
// the same answer either way, and each held-back code leaves an audit line and a metric.
func TestAttackCodeFlooding(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect, func(a *server.AuthOptions) { a.CodesPerHour = 4 })
		ctx := context.Background()
		const mail = "inonde@samu.test"
		rig.account(t, "boite.inondee", mail, goodPW, map[string]string{api.ChannelEmail: mail})
		var answers []string
		for range 8 {
			c, err := rig.c.Captcha(ctx)
			mustOK(t, err)
			step, err := rig.c.RecoveryStart(ctx, api.RecoveryStartRequest{Kind: api.RecoverPassword, Name: "boite.inondee",
				CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)})
			mustOK(t, err)
			msg, err := rig.c.RecoveryOTP(ctx, step.RecoveryID, api.ChannelEmail)
			mustOK(t, err)
			answers = append(answers, msg)
		}
		ch, err := rig.c.SignInPassword(ctx, "boite.inondee", []byte(goodPW), "poste-1", "")
		mustOK(t, err)
		st, err := rig.c.SendOTPStatus(ctx, ch.ChallengeID, api.ChannelEmail)
		mustOK(t, err)
		time.Sleep(time.Second) // anything on its way has arrived by now
		if n := len(rig.mails(t, mail)); n != 4 {
			t.Fatalf("%d codes reached the mailbox, want the cap of 4", n)
		}
		for _, a := range answers[1:] {
			if a != answers[0] {
				t.Fatalf("answers differ past the cap: %q", answers)
			}
		}
		if st.SentTo == "" || st.Delivery != api.DeliveryPending {
			t.Fatalf("sign-in send past the cap: %+v, want the answer of a code on its way", st)
		}
		if n := rig.auditCount(t, store.AuditOTPSend, store.ResultRefused); n != 5 {
			t.Fatalf("%d refused otp_send audit lines, want 5", n)
		}
		if m := string(scrape(t, rig.pt.Server)); !strings.Contains(m, `cpx_portal_codes_capped_total{flow="recovery"} 4`) ||
			!strings.Contains(m, `cpx_portal_codes_capped_total{flow="signin"} 1`) {
			t.Fatalf("metrics lack the capped codes")
		}
	})
}

// TestAttackRecoveryStartTiming: finding 10. recovery/start costs the same for an existing
// account and an unknown name: mean gap (400 samples each, trimmed) within 40 µs.
func TestAttackRecoveryStartTiming(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		rig.withQuestion(t, "jeanne.testeuse", "jeanne@samu.test")
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}}}
		defer hc.CloseIdleConnections()
		ctx := context.Background()
		startOf := func(name string) func() {
			return func() {
				c, err := rig.c.Captcha(ctx)
				mustOK(t, err)
				if st, b := rig.post(t, hc, "/recovery/start", api.RecoveryStartRequest{Kind: api.RecoverPassword, Name: name,
					CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)}); st != http.StatusOK {
					t.Fatalf("start: %d %s", st, b)
				}
			}
		}
		const bound = 40 * time.Microsecond
		if gaps := gapsOver(bound, 400, startOf("jeanne.testeuse"), startOf("personne.inconnue")); gaps != nil {
			t.Fatalf("recovery/start: known-unknown mean gaps %v all > %v", gaps, bound)
		}
	})
}
