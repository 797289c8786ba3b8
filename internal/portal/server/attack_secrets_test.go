package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestAttackOldPasswordOracle: finding 2. With a session token, wrong old passwords lock the
// account like wrong passwords at sign-in; once locked, the right old password with a weak
// new one, or with a valid one, gets the same refusal as a wrong one (no 422 telling the old
// one was right, no change that clears the lock).
func TestAttackOldPasswordOracle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "vol@samu.test"
		rig.account(t, "session.volee", mail, goodPW, map[string]string{api.ChannelEmail: mail})
		in := rig.signIn(t, "session.volee", goodPW, "poste-1", mail)
		var last error
		for i := range 5 {
			_, last = rig.c.SetPassword(ctx, in.Token, []byte("Faux#ancien-"+itoa(i)), []byte("Neuf#mot2passe-ok"), false)
			if last == nil {
				t.Fatal("a wrong old password was accepted")
			}
		}
		wantCode(t, last, api.CodeAccountLocked)
		_, weak := rig.c.SetPassword(ctx, in.Token, []byte(goodPW), []byte("faible"), false)
		_, valid := rig.c.SetPassword(ctx, in.Token, []byte(goodPW), []byte("Neuf#mot2passe-ok"), false)
		_, wrong := rig.c.SetPassword(ctx, in.Token, []byte("Faux#ancien-x"), []byte("faible"), false)
		for name, err := range map[string]error{"right old, weak new": weak, "right old, valid new": valid, "wrong old": wrong} {
			if code := api.CodeOf(err); code != api.CodeAccountLocked {
				t.Errorf("%s while locked: %v (code %q), want %s like every refusal", name, err, code, api.CodeAccountLocked)
			}
		}
		// Sign-in answers like a wrong password (the name typed was not locked itself, see
		// TestAttackLockByEmail), and gives no challenge.
		if _, err := rig.c.SignInPassword(ctx, "session.volee", []byte(goodPW), "poste-2", ""); err == nil {
			t.Fatal("sign-in of the locked account gave a challenge")
		}
	})
}

// TestAttackLockByEmail: finding 4. Locking an account through its identifiant must not make
// its e-mail address answer "locked": the lock answer depends on the name typed only.
func TestAttackLockByEmail(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "x.y@samu.test"
		rig.account(t, "xavier.yvon", mail, goodPW, map[string]string{api.ChannelEmail: mail})
		for i := range 3 {
			rig.c.SignInPassword(ctx, "xavier.yvon", []byte("Faux#essai-"+itoa(i)), "poste-1", "")
		}
		_, err := rig.c.SignInPassword(ctx, "xavier.yvon", []byte("Faux#essai"), "poste-1", "")
		wantCode(t, err, api.CodeAccountLocked)
		_, right := rig.c.SignInPassword(ctx, mail, []byte("Faux#essai"), "poste-1", "")
		_, invented := rig.c.SignInPassword(ctx, "personne@samu.test", []byte("Faux#essai"), "poste-1", "")
		if api.CodeOf(right) != api.CodeOf(invented) || api.CodeOf(right) != api.CodeCredentials {
			t.Fatalf("the account's e-mail answers %q, an invented one %q: the lock tells the pair", api.CodeOf(right), api.CodeOf(invented))
		}
		// The account stays locked whichever name is typed, even with the right password.
		ch, err := rig.c.SignInPassword(ctx, mail, []byte(goodPW), "poste-1", "")
		if err == nil {
			t.Fatalf("right password through the e-mail signed a locked account in: %+v", ch)
		}
	})
}

// TestAttackOTPAcrossChallenges: finding 6. Wrong codes count toward the account's lock
// whatever the challenge: 12 challenges × 5 wrong codes cannot lead to a sign-in.
func TestAttackOTPAcrossChallenges(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		const mail = "otp@samu.test"
		rig.account(t, "code.devine", mail, goodPW, map[string]string{api.ChannelEmail: mail})
		refused := 0
		for range 12 {
			ch, err := rig.c.SignInPassword(ctx, "code.devine", []byte(goodPW), "poste-1", "")
			if err != nil {
				refused++
				continue
			}
			if _, err := rig.c.SendOTP(ctx, ch.ChallengeID, api.ChannelEmail); err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				rig.c.VerifyOTP(ctx, ch.ChallengeID, "00000"+itoa(i), false)
			}
		}
		if refused == 0 {
			t.Fatal("60 wrong codes over 12 challenges never locked the account")
		}
		ch, err := rig.c.SignInPassword(ctx, "code.devine", []byte(goodPW), "poste-1", "")
		if err == nil {
			n := len(rig.mails(t, mail))
			rig.c.SendOTP(ctx, ch.ChallengeID, api.ChannelEmail)
			if _, err := rig.c.VerifyOTP(ctx, ch.ChallengeID, rig.lastCode(t, mail, n+1), false); err == nil {
				t.Fatal("the right code on a 13th challenge signed in after 60 wrong ones")
			}
		}
	})
}

// TestAttackSecretAnswers: finding 7. Wrong secret answers count toward the lock: after 32
// wrong answers the right one mails no link.
func TestAttackSecretAnswers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		const mail = "secret@samu.test"
		rig.withQuestion(t, "reponse.devinee", mail)
		before := len(rig.mails(t, mail))
		for i := range 32 {
			rig.recover(t, api.RecoverPassword, "reponse.devinee", "mauvaise "+itoa(i))
		}
		rig.recover(t, api.RecoverPassword, "reponse.devinee", answer)
		if ch, err := rig.c.SignInPassword(context.Background(), "reponse.devinee", []byte(goodPW), "poste-1", ""); err == nil {
			t.Errorf("after 32 wrong answers the account is not locked: sign-in gave %+v", ch)
		}
		time.Sleep(time.Second) // a link would be on its way by now
		if n := len(rig.mails(t, mail)); n != before {
			t.Fatalf("%d mails after 32 wrong answers and the right one: a link went out", n-before)
		}
	})
}

// TestAttackUnnormalisedNames: finding 10. Names that do not normalise each have their own
// counter: locking one does not lock every other such name.
func TestAttackUnnormalisedNames(t *testing.T) {
	rig := startAuth(t, "sqlite")
	ctx := context.Background()
	for range 4 {
		rig.c.SignInPassword(ctx, "!!!", []byte("Faux#essai"), "poste-1", "")
	}
	_, err := rig.c.SignInPassword(ctx, "!!!", []byte("Faux#essai"), "poste-1", "")
	wantCode(t, err, api.CodeAccountLocked)
	_, err = rig.c.SignInPassword(ctx, "???", []byte("Faux#essai"), "poste-1", "")
	wantCode(t, err, api.CodeCredentials)
}
