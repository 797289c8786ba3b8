package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

const goodPW = "Vx7#pluie-Orage"

// signIn runs identifiant + password + the e-mailed code and returns the session.
func (rig *authRig) signIn(t testing.TB, name, pw, ws, email string) api.SignIn {
	t.Helper()
	ctx := context.Background()
	ch, err := rig.c.SignInPassword(ctx, name, []byte(pw), ws, "")
	mustOK(t, err)
	if ch.SignIn != nil {
		return *ch.SignIn
	}
	n := len(rig.mails(t, email))
	_, err = rig.c.SendOTP(ctx, ch.ChallengeID, api.ChannelEmail)
	mustOK(t, err)
	in, err := rig.c.VerifyOTP(ctx, ch.ChallengeID, rig.lastCode(t, email, n+1), false)
	mustOK(t, err)
	return in
}

func TestOTPSignInEndToEnd(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		rig.account(t, "jeanne.testeuse", "jeanne@samu.test", goodPW,
			map[string]string{api.ChannelEmail: "jeanne@samu.test", api.ChannelSMS: "+33612345678"})
		ch, err := rig.c.SignInPassword(ctx, "Jeanne.Testeuse", []byte(goodPW), "poste-1", "")
		mustOK(t, err)
		if ch.SignIn != nil || ch.ChallengeID == "" || len(ch.Channels) != 2 || ch.Channels[0].Kind != api.ChannelEmail ||
			ch.Channels[0].Masked != "j•••@samu.test" || ch.Channels[1].Masked != "06 •• •• •• 78" {
			t.Fatalf("challenge %+v", ch)
		}
		sentTo, err := rig.c.SendOTP(ctx, ch.ChallengeID, "")
		mustOK(t, err)
		if sentTo != "j•••@samu.test" {
			t.Fatalf("sent to %q", sentTo)
		}
		code := rig.lastCode(t, "jeanne@samu.test", 1)
		in, err := rig.c.VerifyOTP(ctx, ch.ChallengeID, code, false)
		mustOK(t, err)
		if in.Token == "" || in.DeviceToken != "" || in.Session.Method != api.MethodOTP ||
			in.Session.User.Identifiant != "jeanne.testeuse" {
			t.Fatalf("sign-in %+v", in)
		}
		want := []string{api.ActionChooseProfile, api.ActionLinkPhone, api.ActionSetSecretQuestion}
		if !slices.Equal(in.Session.RequiredActions, want) {
			t.Fatalf("required actions %v, want %v", in.Session.RequiredActions, want)
		}
		_, err = rig.c.VerifyOTP(ctx, ch.ChallengeID, code, false)
		wantCode(t, err, api.CodeOTPExpired) // single use

		// By e-mail address, code by SMS, remember this workstation.
		ch, err = rig.c.SignInPassword(ctx, " Jeanne@SAMU.test", []byte(goodPW), "poste-1", "")
		mustOK(t, err)
		sentTo, err = rig.c.SendOTP(ctx, ch.ChallengeID, api.ChannelSMS)
		mustOK(t, err)
		if sentTo != "06 •• •• •• 78" {
			t.Fatalf("sent to %q", sentTo)
		}
		in, err = rig.c.VerifyOTP(ctx, ch.ChallengeID, rig.lastCode(t, "+33612345678", 1), true)
		mustOK(t, err)
		dev := in.DeviceToken
		if dev == "" {
			t.Fatal("no device token")
		}
		ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", dev)
		mustOK(t, err)
		if ch.SignIn == nil || ch.SignIn.Token == "" {
			t.Fatalf("remembered workstation still asks a code: %+v", ch)
		}
		ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-2", dev)
		mustOK(t, err)
		if ch.SignIn != nil {
			t.Fatal("device token accepted on another workstation")
		}
		_, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte("wrong-"+goodPW), "poste-1", dev)
		wantCode(t, err, api.CodeCredentials) // the token never replaces the password

		// Another professional on poste-1 cancels the record (seed 003).
		rig.account(t, "paul.autre", "paul@samu.test", goodPW, map[string]string{api.ChannelEmail: "paul@samu.test"})
		rig.signIn(t, "paul.autre", goodPW, "poste-1", "paul@samu.test")
		ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", dev)
		mustOK(t, err)
		if ch.SignIn != nil {
			t.Fatal("device token survived another user's sign-in on the workstation")
		}
		// So does a card sign-in of someone else on that workstation.
		ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-3", "")
		mustOK(t, err)
		_, err = rig.c.SendOTP(ctx, ch.ChallengeID, api.ChannelEmail)
		mustOK(t, err)
		in, err = rig.c.VerifyOTP(ctx, ch.ChallengeID, rig.lastCode(t, "jeanne@samu.test", 2), true)
		mustOK(t, err)
		rig.clk.Add(time.Second)
		h := newHolder("Carte", "AUTRE")
		rig.pt.Enroll(t, h)
		_, err = signInCard(ctx, rig.c, credOf(issue(t, rig.pt.PKI, h)), "poste-3")
		mustOK(t, err)
		ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-3", in.DeviceToken)
		mustOK(t, err)
		if ch.SignIn != nil {
			t.Fatal("device token survived a card sign-in of another user on the workstation")
		}
		for _, ev := range []string{store.AuditPasswordSignIn, store.AuditOTPSend, store.AuditOTPVerify, store.AuditSignIn} {
			if rig.auditCount(t, ev, store.ResultOK) == 0 {
				t.Errorf("no audit line %s ok", ev)
			}
		}
		assertNoSecretInAudit(t, rig, goodPW, code)
	})
}

func assertNoSecretInAudit(t *testing.T, rig *authRig, secrets ...string) {
	t.Helper()
	rows, err := rig.pt.Store.AuditTail(context.Background(), 1000)
	mustOK(t, err)
	for _, e := range rows {
		line := strings.Join([]string{e.Event, e.Code, e.Subject, e.Detail}, " ")
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Fatalf("audit line %q holds a secret", line)
			}
		}
	}
}

func TestPasswordLockout(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		rig.account(t, "jeanne.testeuse", "jeanne@samu.test", goodPW, map[string]string{api.ChannelEmail: "jeanne@samu.test"})
		for _, name := range []string{"jeanne.testeuse", "personne.inconnue"} {
			for i := 1; i <= 2; i++ {
				_, err := rig.c.SignInPassword(ctx, name, []byte("Mauvais#mot2passe"), "poste-1", "")
				wantCode(t, err, api.CodeCredentials)
				if api.DetailOf(err, "tries_left") != "" {
					t.Fatal("tries_left tells which accounts exist")
				}
			}
			_, err := rig.c.SignInPassword(ctx, name, []byte("Mauvais#mot2passe"), "poste-1", "")
			wantCode(t, err, api.CodeAccountLocked) // the 3rd failure locks
			if got := api.DetailOf(err, "retry_after"); got != "1200" {
				t.Fatalf("%s: retry_after %q, want 1200 (20 min)", name, got)
			}
		}
		_, err := rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
		wantCode(t, err, api.CodeAccountLocked) // even the right password
		rig.clk.Add(20*time.Minute - time.Second)
		_, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
		wantCode(t, err, api.CodeAccountLocked)
		rig.clk.Add(time.Second)
		ch, err := rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
		mustOK(t, err)
		if ch.ChallengeID == "" {
			t.Fatal("no challenge after the lock ran out")
		}
		if rig.auditCount(t, store.AuditLockout, store.ResultRefused) < 2 {
			t.Fatal("lockouts not audited")
		}
	})
}

func TestPasswordExpiryForcesChange(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	rig.account(t, "jeanne.testeuse", "jeanne@samu.test", goodPW, map[string]string{api.ChannelEmail: "jeanne@samu.test"})
	rig.clk.Add(90*24*time.Hour - time.Minute)
	in := rig.signIn(t, "jeanne.testeuse", goodPW, "poste-1", "jeanne@samu.test")
	if slices.Contains(in.Session.RequiredActions, api.ActionChangePassword) {
		t.Fatal("change_password before 90 days")
	}
	rig.clk.Add(time.Minute)
	in = rig.signIn(t, "jeanne.testeuse", goodPW, "poste-1", "jeanne@samu.test")
	if !slices.Contains(in.Session.RequiredActions, api.ActionChangePassword) {
		t.Fatalf("no change_password after 90 days: %v", in.Session.RequiredActions)
	}
	_, err := rig.c.SetPassword(context.Background(), in.Token, []byte(goodPW), []byte("Neuf#mot2passe-ok"), false)
	mustOK(t, err)
	s, err := rig.c.Session(context.Background(), in.Token)
	mustOK(t, err)
	if slices.Contains(s.RequiredActions, api.ActionChangePassword) {
		t.Fatal("change_password still owed after the change")
	}
}

func TestNoChannelAndHabilitation(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	ctx := context.Background()
	rig.account(t, "sans.canal", "sans@samu.test", goodPW, nil)
	_, err := rig.c.SignInPassword(ctx, "sans.canal", []byte("Faux#mot2passe"), "poste-1", "")
	wantCode(t, err, api.CodeCredentials) // nothing told before the right password
	_, err = rig.c.SignInPassword(ctx, "sans.canal", []byte(goodPW), "poste-1", "")
	wantCode(t, err, api.CodeNoChannel)
	if !strings.Contains(err.Error(), "carte") {
		t.Fatalf("no-channel message does not send the user to the card: %v", err)
	}
	u := rig.account(t, "non.habilite", "nh@samu.test", goodPW, map[string]string{api.ChannelEmail: "nh@samu.test"})
	mustOK(t, rig.pt.Store.SetHabilitation(ctx, u.ID, false, store.AuditEntry{Event: store.AuditHabilitation}))
	_, err = rig.c.SignInPassword(ctx, "non.habilite", []byte("Faux#mot2passe"), "poste-1", "")
	wantCode(t, err, api.CodeCredentials)
	_, err = rig.c.SignInPassword(ctx, "non.habilite", []byte(goodPW), "poste-1", "")
	wantCode(t, err, api.CodeForbidden)
	if !strings.Contains(err.Error(), "Vous n'avez pas les autorisations requises pour vous connecter sur cette application") {
		t.Fatalf("message: %v", err)
	}
}

func TestPasswordPresets(t *testing.T) {
	for _, tc := range []struct {
		preset string
		pw     string
		ok     bool
	}{
		{"sante", "Regul#4821", false},   // 10 characters: too short for sante
		{"norm", "Regul#4821", true},     // enough for norm (seed 001)
		{"sante", "Password123!", false}, // common
		{"norm", "P@ssw0rd", false},      // common
		{"sante", "Vx7#pluie-Orage", true},
	} {
		t.Run(tc.preset+"/"+tc.pw, func(t *testing.T) {
			pol, _ := password.Preset(tc.preset)
			rig := startAuth(t, store.SQLite, func(a *server.AuthOptions) { a.Password.Policy = pol })
			rig.account(t, "jeanne.testeuse", "jeanne@samu.test", "Ancien#mot2passe", map[string]string{api.ChannelEmail: "jeanne@samu.test"})
			in := rig.signIn(t, "jeanne.testeuse", "Ancien#mot2passe", "poste-1", "jeanne@samu.test")
			pp, err := rig.c.PasswordPolicy(context.Background())
			mustOK(t, err)
			if pp.Name != tc.preset {
				t.Fatalf("policy served %q", pp.Name)
			}
			_, err = rig.c.SetPassword(context.Background(), in.Token, []byte("Ancien#mot2passe"), []byte(tc.pw), false)
			if tc.ok {
				mustOK(t, err)
			} else {
				wantCode(t, err, api.CodePasswordPolicy)
			}
		})
	}
}
