package server_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestRefusals: every refused card or phone gets its stable code, an audit line with that
// code, and changes nothing in the database.
func TestRefusals(t *testing.T) {
	other, err := pki.NewNamed("AC RACINE AUTRE TEST", "AC AUTRE TEST PERSONNES")
	if err != nil {
		t.Fatal(err)
	}
	forEachDialect(t, func(t *testing.T, dialect string) {
		pt := portaltest.Start(t, dialect)
		c := newClient(t, pt)
		ctx := context.Background()
		known := newHolder("ANNE", "MOREAU")
		pt.Enroll(t, known)
		expired := known
		expired.NotBefore, expired.NotAfter = time.Now().AddDate(-3, 0, 0), time.Now().AddDate(0, 0, -1)
		revoked := issue(t, pt.PKI, known)
		if err := pt.PKI.Revoke(revoked.Cert.SerialNumber); err != nil {
			t.Fatal(err)
		}
		pt.WriteCRL(t)
		time.Sleep(1100 * time.Millisecond) // the verifier looks at the CRL file once a second
		server, err := pt.PKI.IssueServer("not-a-card.test")
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			cred *cred
			code string
		}{
			{"other CA", credOf(issue(t, other, known)), api.CodeCertUntrusted},
			{"expired", credOf(issue(t, pt.PKI, expired)), api.CodeCertExpired},
			{"revoked", credOf(revoked), api.CodeCertRevoked},
			{"unknown national id", credOf(issue(t, pt.PKI, newHolder("NOUVEAU", "VENU"))), api.CodeCardUnknown},
			{"server certificate", &cred{s: &pkcs1Signer{key: server.PrivateKey.(*rsa.PrivateKey)}, cert: server.Leaf}, api.CodeCertUsage},
		}
		for _, tc := range cases {
			before := countState(t, pt)
			_, err := signInCard(ctx, c, tc.cred, "ws-refused")
			if api.CodeOf(err) != tc.code {
				t.Errorf("%s: %v, want code %s", tc.name, err, tc.code)
				continue
			}
			if after := countState(t, pt); after != before {
				t.Errorf("%s: state changed %+v -> %+v", tc.name, before, after)
			}
			assertAudited(t, pt, "signin", tc.code)
		}
		// No certificate at all.
		before := countState(t, pt)
		if code := postNoCert(t, pt); code != api.CodeUnauthenticated {
			t.Errorf("no certificate: code %q", code)
		}
		if after := countState(t, pt); after != before {
			t.Errorf("no certificate: state changed")
		}
		assertAudited(t, pt, "signin", api.CodeUnauthenticated)

		// A phone that is not in the profile's entity.
		in, err := signInCard(ctx, c, credOf(issue(t, pt.PKI, known)), "ws")
		if err != nil {
			t.Fatal(err)
		}
		ps, _ := c.Profiles(ctx, in.Token)
		if _, err := c.ChooseProfile(ctx, in.Token, ps.Profiles[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ChooseProfile(ctx, in.Token, "no-such-profile"); api.CodeOf(err) != api.CodeProfileUnknown {
			t.Errorf("unknown profile: %v", err)
		}
		for _, n := range []string{"9801", "0000"} {
			before := countState(t, pt)
			_, err := c.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: n})
			if api.CodeOf(err) != api.CodePhoneUnknown {
				t.Errorf("phone %s: %v", n, err)
			}
			if after := countState(t, pt); after != before {
				t.Errorf("phone %s: state changed", n)
			}
			assertAudited(t, pt, "phone_link", api.CodePhoneUnknown)
		}
	})
}

func assertAudited(t *testing.T, pt *portaltest.Portal, event, code string) {
	t.Helper()
	tail, err := pt.Store.AuditTail(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(tail) != 1 || tail[0].Event != event || tail[0].Result != "refused" || tail[0].Code != code {
		t.Errorf("last audit line %+v, want %s refused %s", tail, event, code)
	}
}

// postNoCert signs in without a client certificate and returns the error code.
func postNoCert(t *testing.T, pt *portaltest.Portal) string {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pt.Roots}}}
	resp, err := hc.Post(pt.URL+"/v1/signin/card", "application/json", bytes.NewReader([]byte(`{"workstation":"ws"}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no certificate: status %d", resp.StatusCode)
	}
	var body api.ErrorBody
	if err := jsonDecode(resp, &body); err != nil || body.Error == nil {
		t.Fatalf("no certificate: body: %v", err)
	}
	return body.Error.Code
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// TestHabilitationAndDisabledAccount: an account without the habilitation is refused with
// forbidden; disabling an account ends its sessions (phone freed) and refuses its card.
func TestHabilitationAndDisabledAccount(t *testing.T) {
	pt := portaltest.Start(t, "sqlite")
	c := newClient(t, pt)
	ctx := context.Background()
	h := newHolder("NOE", "SANSDROIT")
	u := store.User{NationalID: h.NationalID, Identifiant: "noe.sansdroit", GivenName: "Noé", FamilyName: "SANSDROIT"}
	if err := pt.Store.AddUser(ctx, &u, []store.Profile{{EntityID: portaltest.Entity, Label: "ARM"}}); err != nil {
		t.Fatal(err)
	}
	before := countState(t, pt)
	if _, err := signInCard(ctx, c, credOf(issue(t, pt.PKI, h)), "ws"); api.CodeOf(err) != api.CodeForbidden {
		t.Fatalf("no habilitation: %v", err)
	}
	if countState(t, pt) != before {
		t.Fatal("a refused sign-in changed the state")
	}
	assertAudited(t, pt, "signin", api.CodeForbidden)

	h2 := newHolder("LEA", "PARTANTE")
	u2 := pt.Enroll(t, h2)
	cred2 := credOf(issue(t, pt.PKI, h2))
	in, err := signInCard(ctx, c, cred2, "ws")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := c.Profiles(ctx, in.Token)
	c.ChooseProfile(ctx, in.Token, ps.Profiles[0].ID)
	if _, err := c.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: "1002"}); err != nil {
		t.Fatal(err)
	}
	if err := pt.Store.SetUserDisabled(ctx, u2.ID, true, store.AuditEntry{Event: store.AuditAccount, Detail: "disabled"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Session(ctx, in.Token); api.CodeOf(err) != api.CodeSessionRevoked {
		t.Fatalf("session of a disabled account: %v", err)
	}
	if got := countState(t, pt).links; got != 0 {
		t.Fatalf("%d phone links after disabling the account", got)
	}
	if _, err := signInCard(ctx, c, cred2, "ws"); api.CodeOf(err) != api.CodeCardUnknown {
		t.Fatalf("disabled account: %v", err)
	}
	assertAudited(t, pt, "signin", api.CodeCardUnknown)
}
