package pscsim

import (
	"strings"
	"testing"
)

// cibaIDToken signs in by CIBA with the auto-approving phone and gives the raw ID token.
func cibaIDToken(t *testing.T, s *Server, acrValues string) string {
	t.Helper()
	hc := httpClient(s)
	form := cibaForm("899700000005", "64")
	form.Set("acr_values", acrValues)
	a := postForm(t, hc, s.cibaURL(), testClient, form)
	got := pollUntilFinal(t, s, hc, testClient, a)
	if got.IDToken == "" {
		t.Fatalf("no ID token: %+v", got)
	}
	return got.IDToken
}

func TestIDTokenKnobs(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	for _, tc := range []struct {
		name    string
		knobs   Knobs
		acrReq  string
		wantErr string // part of go-oidc's refusal; "" verifies
		wantACR string
	}{
		{"acr as requested", Knobs{}, "eidas2", "", "eidas2"},
		{"acr too low", Knobs{ACR: "eidas0"}, "eidas1", "", "eidas0"},
		{"acr missing", Knobs{NoACR: true}, "eidas1", "", ""},
		{"unknown key", Knobs{UnknownKey: true}, "eidas1", "failed to verify", ""},
		{"wrong audience", Knobs{Audience: "another-client"}, "eidas1", "audience", ""},
		{"wrong issuer", Knobs{Issuer: "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet"}, "eidas1", "issued by a different provider", ""},
		{"expired", Knobs{ExpiredIDToken: true}, "eidas1", "expired", ""},
	} {
		tc.knobs.Approve = ApproveAuto
		if err := s.SetKnobs(tc.knobs); err != nil {
			t.Fatal(err)
		}
		idt, err := verifyIDToken(t, s, hc, testClient, cibaIDToken(t, s, tc.acrReq))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: verification error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var c map[string]any
		if err := idt.Claims(&c); err != nil {
			t.Fatal(err)
		}
		acr, has := c["acr"]
		if tc.wantACR == "" && has || tc.wantACR != "" && acr != tc.wantACR {
			t.Errorf("%s: acr %v (present %v), want %q", tc.name, acr, has, tc.wantACR)
		}
	}
}
