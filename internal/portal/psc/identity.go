package psc

import (
	"context"
	"encoding/json"

	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Identity is who PSC signed in, from the verified ID token and userinfo.
type Identity struct {
	NationalID string // SubjectNameID ("8"+RPPS, staff ids with a slash): the account key, not sub
	Subject    string // sub
	GivenName  string
	FamilyName string
	ACR        string // "" when the token had none and the policy accepts that
	AuthMode   string // CARD or MOBILE
	Roles      []string
	// RegulationAccess is Acces_Regulation_Medicale ("VRAI"/"FAUX").
	RegulationAccess string
	RefPro           json.RawMessage // SubjectRefPro as PSC sent it
	IDToken          string          // kept on the portal for end_session's id_token_hint
}

// claims are the PSC claims read from the ID token and userinfo.
type claims struct {
	Sub              string          `json:"sub"`
	ACR              *string         `json:"acr"`
	SubjectNameID    string          `json:"SubjectNameID"`
	GivenName        string          `json:"given_name"`
	FamilyName       string          `json:"family_name"`
	AuthMode         string          `json:"authMode"`
	SubjectRole      []string        `json:"SubjectRole"`
	RegulationAccess string          `json:"Acces_Regulation_Medicale"`
	RefPro           json.RawMessage `json:"SubjectRefPro"`
}

// Identify verifies t's ID token (go-oidc: signature against the JWKS, issuer, audience,
// expiry, the configured algorithms; then nonce when the flow had one and the acr policy),
// reads userinfo (JSON or application/jwt) and returns the identity. Refusals:
// psc_token_invalid, psc_acr_too_low, psc_acr_missing, psc_unavailable.
func (c *Client) Identify(ctx context.Context, t Tokens, nonce string) (Identity, error) {
	if _, err := c.Discover(ctx); err != nil {
		return Identity{}, err
	}
	if t.IDToken == "" {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "no id_token in the token answer")
	}
	tok, err := c.verifier.Verify(ctx, t.IDToken)
	if err != nil {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "id token: %v", err)
	}
	if nonce != "" && tok.Nonce != nonce {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "id token: nonce does not match")
	}
	var idc claims
	if err := tok.Claims(&idc); err != nil {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "id token claims: %v", err)
	}
	acr, err := c.checkACR(idc.ACR)
	if err != nil {
		return Identity{}, err
	}
	ui, err := c.userInfo(ctx, t.AccessToken)
	if err != nil {
		return Identity{}, err
	}
	if ui.Sub != tok.Subject {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "userinfo sub %q is not the id token's %q", ui.Sub, tok.Subject)
	}
	id := Identity{NationalID: first(ui.SubjectNameID, idc.SubjectNameID), Subject: tok.Subject,
		GivenName: first(ui.GivenName, idc.GivenName), FamilyName: first(ui.FamilyName, idc.FamilyName),
		ACR: acr, AuthMode: first(ui.AuthMode, idc.AuthMode), Roles: ui.SubjectRole,
		RegulationAccess: ui.RegulationAccess, RefPro: ui.RefPro, IDToken: t.IDToken}
	if id.NationalID == "" {
		return Identity{}, refuse(api.CodePSCTokenInvalid, "no SubjectNameID in userinfo nor id token")
	}
	return id, nil
}

// checkACR applies the acr policy: an accepted value, or none when missing_acr is accept.
func (c *Client) checkACR(acr *string) (string, error) {
	if acr == nil || *acr == "" {
		if c.cfg.MissingACR == "accept" {
			return "", nil
		}
		return "", refuse(api.CodePSCACRMissing, "id token without acr")
	}
	if !slices.Contains(c.cfg.AcceptedACR, *acr) {
		return "", refuse(api.CodePSCACRTooLow, "acr %q not in %s", *acr, strings.Join(c.cfg.AcceptedACR, ","))
	}
	return *acr, nil
}

// userInfo reads PSC's userinfo with the access token; go-oidc verifies a signed answer
// (application/jwt) against the provider's JWKS.
func (c *Client) userInfo(ctx context.Context, accessToken string) (claims, error) {
	c.mu.Lock()
	p := c.provider
	c.mu.Unlock()
	ui, err := p.UserInfo(oidc.ClientContext(ctx, c.http),
		oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}))
	if err != nil {
		if strings.Contains(err.Error(), "signature") {
			return claims{}, refuse(api.CodePSCTokenInvalid, "userinfo: %v", err)
		}
		return claims{}, unavailable("userinfo", err)
	}
	var out claims
	if err := ui.Claims(&out); err != nil {
		return claims{}, refuse(api.CodePSCTokenInvalid, "userinfo claims: %v", err)
	}
	return out, nil
}

// Summary is the identity for the audit and the log: no token, no secret.
func (id Identity) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "psc acr=%s auth_mode=%s sub=%s", orNone(id.ACR), orNone(id.AuthMode), id.Subject)
	if len(id.Roles) > 0 {
		fmt.Fprintf(&b, " roles=%s", strings.Join(id.Roles, ","))
	}
	if id.RegulationAccess != "" {
		fmt.Fprintf(&b, " regulation=%s", id.RegulationAccess)
	}
	if len(id.RefPro) > 0 && string(id.RefPro) != "null" {
		fmt.Fprintf(&b, " refpro=%s", compact(id.RefPro))
	}
	return b.String()
}

func compact(raw json.RawMessage) string {
	var buf strings.Builder
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	enc := json.NewEncoder(&buf)
	if enc.Encode(v) != nil {
		return ""
	}
	s := strings.TrimSpace(buf.String())
	if len(s) > 1000 {
		s = s[:1000] + "…"
	}
	return s
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
