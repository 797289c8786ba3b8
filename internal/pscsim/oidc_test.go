package pscsim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// discover fetches PSC's non-standard discovery document and builds a go-oidc provider.
func discover(t *testing.T, s *Server, hc *http.Client) (*oidc.Provider, map[string]any) {
	t.Helper()
	resp, err := hc.Get(s.DiscoveryURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&doc) != nil {
		t.Fatalf("discovery: %d", resp.StatusCode)
	}
	str := func(k string) string { v, _ := doc[k].(string); return v }
	cfg := oidc.ProviderConfig{
		IssuerURL: str("issuer"), AuthURL: str("authorization_endpoint"), TokenURL: str("token_endpoint"),
		UserInfoURL: str("userinfo_endpoint"), JWKSURL: str("jwks_uri"), Algorithms: []string{"RS256"},
	}
	ctx := oidc.ClientContext(context.Background(), hc)
	return cfg.NewProvider(ctx), doc
}

type pscIDClaims struct {
	SubjectNameID string `json:"SubjectNameID"`
	ACR           string `json:"acr"`
	AuthMode      string `json:"authMode"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
}

func verifyIDToken(t *testing.T, s *Server, hc *http.Client, clientID, raw string) (*oidc.IDToken, error) {
	t.Helper()
	p, _ := discover(t, s, hc)
	ctx := oidc.ClientContext(context.Background(), hc)
	return p.VerifierContext(ctx, &oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{"RS256"}}).Verify(ctx, raw)
}

func TestDiscoveryAtPSCPath(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	_, doc := discover(t, s, hc)
	want := map[string]string{
		"issuer":                              s.Issuer(),
		"authorization_endpoint":              s.Origin() + "/wallet/auth",
		"token_endpoint":                      s.Issuer() + "/protocol/openid-connect/token",
		"userinfo_endpoint":                   s.Issuer() + "/protocol/openid-connect/userinfo",
		"jwks_uri":                            s.Issuer() + "/protocol/openid-connect/certs",
		"end_session_endpoint":                s.Issuer() + "/protocol/openid-connect/logout",
		"introspection_endpoint":              s.Issuer() + "/protocol/openid-connect/token/introspect",
		"backchannel_authentication_endpoint": s.Issuer() + "/protocol/openid-connect/ext/ciba/auth",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %s", k, doc[k], v)
		}
	}
	if !strings.HasSuffix(s.Issuer(), "/auth/realms/esante-wallet") {
		t.Errorf("issuer %s", s.Issuer())
	}
	for _, k := range []string{"scopes_supported", "acr_values_supported", "token_endpoint_auth_methods_supported", "id_token_signing_alg_values_supported"} {
		b, _ := json.Marshal(doc[k])
		for _, v := range map[string][]string{"scopes_supported": {"openid", "scope_all"},
			"acr_values_supported": {"eidas1", "eidas2", "eidas3"}, "token_endpoint_auth_methods_supported": {"tls_client_auth"},
			"id_token_signing_alg_values_supported": {"RS256", "HS256"}}[k] { // HS256 listed, as PSC does
			if !strings.Contains(string(b), `"`+v+`"`) {
				t.Errorf("%s %s lacks %s", k, b, v)
			}
		}
	}
	std, err := hc.Get(s.Issuer() + StandardPath)
	if err != nil || std.StatusCode != 200 {
		t.Fatalf("standard discovery: %v %v", std, err)
	}
	std.Body.Close()
}

func TestCIBATokensVerifyWithGoOIDC(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{Approve: ApproveAuto}})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("3990000010/000000018", "07"))
	tok := pollUntilFinal(t, s, hc, testClient, a)
	idt, err := verifyIDToken(t, s, hc, testClient, tok.IDToken)
	if err != nil {
		t.Fatal(err)
	}
	var c pscIDClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c.SubjectNameID != "3990000010/000000018" || idt.Subject == c.SubjectNameID || c.ACR != "eidas1" ||
		c.AuthMode != "MOBILE" || c.FamilyName != "MARTIN" {
		t.Fatalf("claims %+v sub %s", c, idt.Subject)
	}
}
