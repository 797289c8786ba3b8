package server_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// cardSignIn enrols a card holder and signs in with the card's key over mutual TLS.
func (rig *authRig) cardSignIn(t *testing.T) api.SignIn {
	t.Helper()
	h := newHolder("Claire", "CARTE")
	u := rig.pt.Enroll(t, h)
	// Card accounts have a prénom.nom identifiant too (portaltest uses the national id).
	_, err := rig.pt.Store.DB().Exec(rig.pt.Store.Rebind("UPDATE users SET identifiant = ? WHERE id = ?"), "claire.carte", u.ID)
	mustOK(t, err)
	in, err := signInCard(context.Background(), rig.c, credOf(issue(t, rig.pt.PKI, h)), "poste-carte")
	mustOK(t, err)
	return in
}

func TestFirstCardSignInSetsPasswordAndChannels(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect)
		ctx := context.Background()
		in := rig.cardSignIn(t)
		acts := in.Session.RequiredActions
		if !slices.Contains(acts, api.ActionSetPassword) || !slices.Contains(acts, api.ActionSetOTPChannels) ||
			slices.Contains(acts, api.ActionSetSecretQuestion) {
			t.Fatalf("first card sign-in actions %v", acts)
		}
		_, err := rig.c.SetPassword(ctx, in.Token, nil, []byte("Password123!"), false)
		wantCode(t, err, api.CodePasswordPolicy) // common
		s, err := rig.c.SetPassword(ctx, in.Token, nil, []byte(goodPW), false)
		mustOK(t, err)
		if slices.Contains(s.RequiredActions, api.ActionSetPassword) {
			t.Fatalf("set_password still owed: %v", s.RequiredActions)
		}

		// Phone channel: Tester → code by SMS → Valider.
		err = rig.c.TestChannel(ctx, in.Token, api.ChannelSMS, "01 23 45 67 89")
		wantCode(t, err, api.CodeChannelInvalid) // not a mobile
		mustOK(t, rig.c.TestChannel(ctx, in.Token, api.ChannelSMS, "06.12.34.56.78"))
		chs, err := rig.c.Channels(ctx, in.Token)
		mustOK(t, err)
		if len(chs) != 0 {
			t.Fatalf("channel active before validation: %v", chs)
		}
		code := rig.lastCode(t, "+33612345678", 1)
		_, err = rig.c.ValidateChannel(ctx, in.Token, api.ChannelSMS, wrongCode(code))
		wantCode(t, err, api.CodeOTPInvalid)
		chs, err = rig.c.ValidateChannel(ctx, in.Token, api.ChannelSMS, code)
		mustOK(t, err)
		if len(chs) != 1 || chs[0] != (api.Channel{Kind: api.ChannelSMS, Masked: "06 •• •• •• 78", Active: true}) {
			t.Fatalf("channels %+v", chs)
		}
		_, err = rig.c.ValidateChannel(ctx, in.Token, api.ChannelSMS, code)
		wantCode(t, err, api.CodeOTPExpired) // the test is consumed
		s, err = rig.c.Session(ctx, in.Token)
		mustOK(t, err)
		if slices.Contains(s.RequiredActions, api.ActionSetOTPChannels) {
			t.Fatalf("set_otp_channels still owed: %v", s.RequiredActions)
		}

		// E-mail channel, then change the phone, then remove it.
		mustOK(t, rig.c.TestChannel(ctx, in.Token, api.ChannelEmail, "Claire.Carte@Samu.test"))
		chs, err = rig.c.ValidateChannel(ctx, in.Token, api.ChannelEmail, rig.lastCode(t, "claire.carte@samu.test", 1))
		mustOK(t, err)
		if len(chs) != 2 || chs[0].Masked != "c•••@samu.test" {
			t.Fatalf("channels %+v", chs)
		}
		mustOK(t, rig.c.TestChannel(ctx, in.Token, api.ChannelSMS, "+33 7 11 22 33 44"))
		chs, err = rig.c.ValidateChannel(ctx, in.Token, api.ChannelSMS, rig.lastCode(t, "+33711223344", 1))
		mustOK(t, err)
		if chs[1].Masked != "07 •• •• •• 44" {
			t.Fatalf("phone not changed: %+v", chs)
		}
		chs, err = rig.c.RemoveChannel(ctx, in.Token, api.ChannelSMS)
		mustOK(t, err)
		if len(chs) != 1 || chs[0].Kind != api.ChannelEmail {
			t.Fatalf("after removal %+v", chs)
		}
		_, err = rig.c.RemoveChannel(ctx, in.Token, api.ChannelSMS)
		wantCode(t, err, api.CodeChannelInvalid)
		for _, ev := range []string{store.AuditChannelTest, store.AuditChannelSet, store.AuditChannelRemove, store.AuditPasswordSet} {
			if rig.auditCount(t, ev, store.ResultOK) == 0 {
				t.Errorf("no audit line %s", ev)
			}
		}

		// The card user can now sign in with identifiant + password + OTP.
		ch, err := rig.c.SignInPassword(ctx, s.User.Identifiant, []byte(goodPW), "poste-2", "")
		mustOK(t, err)
		if len(ch.Channels) != 1 {
			t.Fatalf("channels at sign-in %+v", ch.Channels)
		}
	})
}

func TestPasswordChangeSignsOutOthersAndConfirms(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	ctx := context.Background()
	const mail = "jeanne@samu.test"
	rig.account(t, "jeanne.testeuse", mail, goodPW, map[string]string{api.ChannelEmail: mail})
	a := rig.signIn(t, "jeanne.testeuse", goodPW, "poste-1", mail)
	b := rig.signIn(t, "jeanne.testeuse", goodPW, "poste-2", mail)
	_, err := rig.c.SetPassword(ctx, a.Token, []byte("pas-le-bon"), []byte("Neuf#mot2passe-ok"), true)
	wantCode(t, err, api.CodeCredentials)
	_, err = rig.c.SetPassword(ctx, a.Token, []byte(goodPW), []byte(goodPW), true)
	wantCode(t, err, api.CodePasswordReused)
	req, _ := http.NewRequest(http.MethodPut, rig.pt.URL+api.Version+"/session/password",
		strings.NewReader(`{"old":"`+goodPW+`","new":"Neuf#mot2passe-ok","confirm":"Neuf#mot2passe-KO"}`))
	req.Header.Set("Authorization", "Bearer "+a.Token)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}}}
	resp, err := hc.Do(req)
	mustOK(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), api.CodePasswordMismatch) {
		t.Fatalf("confirmation mismatch: %d %s", resp.StatusCode, body)
	}
	before := len(rig.mails(t, mail))
	_, err = rig.c.SetPassword(ctx, a.Token, []byte(goodPW), []byte("Neuf#mot2passe-ok"), true)
	mustOK(t, err)
	_, err = rig.c.Session(ctx, b.Token)
	wantCode(t, err, api.CodeSessionRevoked)
	_, err = rig.c.Session(ctx, a.Token)
	mustOK(t, err)
	waitMail(t, rig, mail, before+1)
	confirm := rig.mails(t, mail)[before]
	if !strings.Contains(confirm, "Si vous n'avez pas effectué ce changement, merci de contacter le support") {
		t.Fatalf("confirmation mail: %q", confirm)
	}
	_, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
	wantCode(t, err, api.CodeCredentials)
}
