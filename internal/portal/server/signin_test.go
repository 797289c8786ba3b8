package server_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestCardFlow: PKCS#1-only card keys sign in over TLS 1.2, choose a profile, link a phone;
// a second card meets the conflict (409 naming the holder), takes over, and the first session
// hears it on its event stream; sign-out frees the phone.
func TestCardFlow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		pt := portaltest.Start(t, dialect)
		c := newClient(t, pt)
		ctx := context.Background()
		ha, hb := newHolder("CAMILLE", "MARTIN"), newHolder("JULIEN", "BERNARD")
		pt.Enroll(t, ha)
		pt.Enroll(t, hb)
		ca, cb := credOf(issue(t, pt.PKI, ha)), credOf(issue(t, pt.PKI, hb))

		a, err := signInCard(ctx, c, ca, "ws-a")
		if err != nil {
			t.Fatalf("card sign-in: %v", err)
		}
		if ca.s.pss != 0 || ca.s.n != 1 {
			t.Fatalf("card key: %d PSS asked, %d signatures (want 0, 1)", ca.s.pss, ca.s.n)
		}
		if len(a.Token) != 43 || a.Session.User.NationalID != ha.NationalID {
			t.Fatalf("sign-in answer: token %d chars, user %+v", len(a.Token), a.Session.User)
		}
		want := []string{api.ActionChooseProfile, api.ActionLinkPhone, api.ActionSetPassword, api.ActionSetOTPChannels}
		if !slices.Equal(a.Session.RequiredActions, want) {
			t.Fatalf("required actions %v, want %v", a.Session.RequiredActions, want)
		}
		profs, err := c.Profiles(ctx, a.Token)
		if err != nil || len(profs.Profiles) != 1 || profs.Profiles[0].Entity.ID != portaltest.Entity {
			t.Fatalf("profiles: %+v %v", profs, err)
		}
		if _, err := c.LinkPhone(ctx, a.Token, api.LinkPhoneRequest{Number: "1001"}); api.CodeOf(err) != api.CodeProfileRequired {
			t.Fatalf("link before profile: %v", err)
		}
		if _, err := c.ChooseProfile(ctx, a.Token, profs.Profiles[0].ID); err != nil {
			t.Fatal(err)
		}
		sa, err := c.LinkPhone(ctx, a.Token, api.LinkPhoneRequest{Number: "1001"})
		if err != nil || sa.Phone != "1001" || slices.Contains(sa.RequiredActions, api.ActionLinkPhone) {
			t.Fatalf("link: %+v %v", sa, err)
		}
		evctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		events, err := c.Events(evctx, a.Token)
		if err != nil {
			t.Fatal(err)
		}

		b, err := signInCard(ctx, c, cb, "ws-b")
		if err != nil {
			t.Fatal(err)
		}
		pb, _ := c.Profiles(ctx, b.Token)
		if _, err := c.ChooseProfile(ctx, b.Token, pb.Profiles[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err = c.LinkPhone(ctx, b.Token, api.LinkPhoneRequest{Number: "1001"})
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != api.CodePhoneTaken || ae.Status != http.StatusConflict ||
			api.DetailOf(err, "holder") != "CAMILLE MARTIN" {
			t.Fatalf("conflict: %v (%+v)", err, ae)
		}
		sb, err := c.LinkPhone(ctx, b.Token, api.LinkPhoneRequest{Number: "1001", Takeover: true})
		if err != nil || sb.Phone != "1001" {
			t.Fatalf("takeover: %+v %v", sb, err)
		}
		select {
		case e := <-events:
			if e.Type != api.EventPhoneTakenOver || e.Phone != "1001" || e.By != "JULIEN BERNARD" {
				t.Fatalf("event %+v", e)
			}
		case <-evctx.Done():
			t.Fatal("no takeover event on the first session's stream")
		}
		if s, _ := c.Session(ctx, a.Token); s.Phone != "" || !slices.Contains(s.RequiredActions, api.ActionLinkPhone) {
			t.Fatalf("session taken over: %+v", s)
		}
		if err := c.SignOut(ctx, a.Token); err != nil {
			t.Fatal(err)
		}
		if e, ok := <-events; !ok || e.Type != api.EventSignedOut {
			t.Fatalf("final event %+v (open %v)", e, ok)
		}
		if _, err := c.Session(ctx, a.Token); api.CodeOf(err) != api.CodeUnauthenticated {
			t.Fatalf("signed-out token: %v", err)
		}
		if err := c.SignOut(ctx, b.Token); err != nil {
			t.Fatal(err)
		}
		if got := countState(t, pt).links; got != 0 {
			t.Fatalf("%d phone links after both sign-outs", got)
		}
		last, err := c.Profiles(ctx, b.Token)
		if api.CodeOf(err) != api.CodeUnauthenticated {
			t.Fatalf("profiles after sign-out: %+v %v", last, err)
		}
		audit, err := pt.Store.AuditTail(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range audit {
			seen[e.Event+"/"+e.Result] = true
		}
		for _, k := range []string{"signin/ok", "phone_link/ok", "phone_link/refused", "phone_takeover/ok", "signout/ok"} {
			if !seen[k] {
				t.Errorf("audit has no %s line", k)
			}
		}
	})
}

// TestRevokedSessionEvent: an admin revocation reaches the session's stream and its token dies.
func TestRevokedSessionEvent(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite)
	c := newClient(t, pt)
	ctx := context.Background()
	h := newHolder("SOPHIE", "LEROY")
	pt.Enroll(t, h)
	in, err := signInCard(ctx, c, credOf(issue(t, pt.PKI, h)), "ws")
	if err != nil {
		t.Fatal(err)
	}
	evctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	events, err := c.Events(evctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := pt.Store.EndSession(ctx, in.Session.ID, store.EndRevoked, store.AuditEntry{Event: store.AuditRevoke}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		if e.Type != api.EventRevoked {
			t.Fatalf("event %+v", e)
		}
	case <-evctx.Done():
		t.Fatal("no revocation event")
	}
	if _, err := c.Session(ctx, in.Token); api.CodeOf(err) != api.CodeSessionRevoked {
		t.Fatalf("revoked token: %v", err)
	}
}

// TestIdleTimeout: a session left idle hears session_expiring then session_expired on its
// stream, and its token then answers session_expired.
func TestIdleTimeout(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite, func(o *server.Options) {
		o.SessionIdle, o.ExpiryWarning = 4*time.Second, 2*time.Second
	})
	c := newClient(t, pt)
	ctx := context.Background()
	h := newHolder("PAUL", "PETIT")
	pt.Enroll(t, h)
	in, err := signInCard(ctx, c, credOf(issue(t, pt.PKI, h)), "ws")
	if err != nil {
		t.Fatal(err)
	}
	evctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	events, err := c.Events(evctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for e := range events {
		got = append(got, e.Type)
	}
	if !slices.Equal(got, []string{api.EventExpiring, api.EventExpired}) {
		t.Fatalf("events %v", got)
	}
	if _, err := c.Session(ctx, in.Token); api.CodeOf(err) != api.CodeSessionExpired {
		t.Fatalf("expired token: %v", err)
	}
}
