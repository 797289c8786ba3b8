package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// Each knob makes the simulator issue a token the portal must refuse, with its code and an
// audit line, and no session.
func TestPSCTokenChecks(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	pc := newClient(t, r.Portal)
	cases := []struct {
		name string
		knob pscsim.Knobs
		code string
	}{
		{"wrong audience", pscsim.Knobs{Audience: "another-client"}, api.CodePSCTokenInvalid},
		{"wrong issuer", pscsim.Knobs{Issuer: "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet"}, api.CodePSCTokenInvalid},
		{"expired", pscsim.Knobs{ExpiredIDToken: true}, api.CodePSCTokenInvalid},
		{"unknown key", pscsim.Knobs{UnknownKey: true}, api.CodePSCTokenInvalid},
		{"acr too low", pscsim.Knobs{ACR: "eidas0"}, api.CodePSCACRTooLow},
		{"acr missing", pscsim.Knobs{NoACR: true}, api.CodePSCACRMissing},
	}
	before := countState(t, r.Portal)
	for _, c := range cases {
		c.knob.Approve = pscsim.ApproveAuto
		if err := r.Sim.SetKnobs(c.knob); err != nil {
			t.Fatal(err)
		}
		st, err := pc.StartPSC(context.Background(), physician, "poste-12")
		if err != nil {
			t.Fatalf("%s: start: %v", c.name, err)
		}
		if _, err := waitOutcome(t, pc, st.RequestID); api.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
			continue
		}
		if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != c.code || a.Result != store.ResultRefused {
			t.Errorf("%s: audit %+v", c.name, a)
		}
	}
	if after := countState(t, r.Portal); after != before {
		t.Fatalf("refused tokens changed the state: %+v → %+v", before, after)
	}
}

// The simulator cannot sign HS256 (go-oidc providers sign with their JWKS keys), so this token
// is made here with go-jose: right issuer, audience and expiry, signed HS256 with a secret.
// The portal's verifier refuses the algorithm, whatever PSC's discovery lists.
func TestPSCRefusesHS256(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	c := r.Opts.Client
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat("s", 32))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: r.Sim.Issuer(), Audience: jwt.Audience{pscsim.DevClientID},
		Subject: "s", IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).
		Claims(map[string]any{"acr": "eidas1", "SubjectNameID": physician}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Identify(context.Background(), psc.Tokens{IDToken: tok, AccessToken: "x"}, "")
	if psc.CodeOf(err) != api.CodePSCTokenInvalid || !strings.Contains(err.Error(), "HS256") {
		t.Fatalf("HS256 ID token: %v", err)
	}
}

// A missing acr is accepted when the policy says so; the session then shows none.
func TestPSCMissingACRPolicyAccept(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{
		Sim:  pscsim.Config{Knobs: pscsim.Knobs{Approve: pscsim.ApproveAuto, NoACR: true}},
		Tune: func(c *config.PSC) { c.MissingACR = "accept" }})
	pc := newClient(t, r.Portal)
	st, err := pc.StartPSC(context.Background(), physician, "poste-12")
	if err != nil {
		t.Fatal(err)
	}
	in, err := waitOutcome(t, pc, st.RequestID)
	if err != nil || in.Session.ACR != "" || in.Session.Method != api.MethodPSC {
		t.Fatalf("no acr, policy accept: %+v %v", in.Session, err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); !strings.Contains(a.Detail, "acr=none") {
		t.Fatalf("audit %+v", a)
	}
}

// Userinfo as a signed JWT (application/jwt) is accepted; a staff national id with a slash
// goes through login_hint, SubjectNameID and the account lookup.
func TestPSCUserinfoJWTAndSlashID(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{UserInfoJWT: true,
		Sim: pscsim.Config{Knobs: pscsim.Knobs{Approve: pscsim.ApproveAuto}}})
	pc := newClient(t, r.Portal)
	st, err := pc.StartPSC(context.Background(), portaltest.StaffID, "poste-12")
	if err != nil {
		t.Fatal(err)
	}
	in, err := waitOutcome(t, pc, st.RequestID)
	if err != nil || in.Session.User.NationalID != portaltest.StaffID {
		t.Fatalf("staff id with userinfo JWT: %+v %v", in.Session, err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); !strings.Contains(a.Detail, "given=ALEX family=PERMANENT") {
		t.Fatalf("names from the userinfo JWT missing: %+v", a)
	}
}

// Unknown national ids answer what an unenrolled card gets; no habilitation is forbidden.
func TestPSCAccountRefusals(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{
		Sim: pscsim.Config{Knobs: pscsim.Knobs{Approve: pscsim.ApproveAuto}}})
	pc := newClient(t, r.Portal)
	ctx := context.Background()
	// Known to PSC, not enrolled here: refused after the approval.
	st, err := pc.StartPSC(ctx, pki.DemoHolders()["adeli"].NationalID, "poste-12")
	if err != nil {
		t.Fatal(err)
	}
	_, err = waitOutcome(t, pc, st.RequestID)
	if api.CodeOf(err) != api.CodeCardUnknown || err.(*api.Error).Message != "no account is enrolled for this card" {
		t.Fatalf("not enrolled: %v", err)
	}
	// Unknown to PSC: refused at the start, with the same code and words.
	_, err = pc.StartPSC(ctx, "899700999999", "poste-12")
	if api.CodeOf(err) != api.CodeCardUnknown || err.(*api.Error).Message != "no account is enrolled for this card" {
		t.Fatalf("unknown to PSC: %v", err)
	}
	h := pki.DemoHolders()["cpe"]
	u := r.Portal.Enroll(t, h)
	if _, err := r.Portal.Store.DB().ExecContext(ctx, "UPDATE users SET habilitation = 0 WHERE id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	st, err = pc.StartPSC(ctx, h.NationalID, "poste-12")
	if err != nil {
		t.Fatal(err)
	}
	if _, err = waitOutcome(t, pc, st.RequestID); api.CodeOf(err) != api.CodeForbidden {
		t.Fatalf("no habilitation: %v", err)
	}
	if a := lastAudit(t, r.Portal, store.AuditSignIn); a.Code != api.CodeForbidden || a.UserID != u.ID {
		t.Fatalf("audit %+v", a)
	}
}
