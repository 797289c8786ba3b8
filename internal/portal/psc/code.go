package psc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// CodeRequest is the portal's half of one browser sign-in with PSC: state, nonce and the
// PKCE verifier, each random and used once.
type CodeRequest struct {
	State, Nonce, Verifier string
	RedirectURL            string // the portal's callback
}

// NewCodeRequest draws state, nonce and verifier for a browser sign-in.
func NewCodeRequest(redirectURL string) CodeRequest {
	return CodeRequest{State: RandomToken(), Nonce: RandomToken(), Verifier: oauth2.GenerateVerifier(),
		RedirectURL: redirectURL}
}

// AuthCodeURL is PSC's authorization URL for r: code flow, scope, acr_values, state, nonce
// and the PKCE S256 challenge.
func (c *Client) AuthCodeURL(ctx context.Context, r CodeRequest) (string, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	if d.AuthorizationURL == "" {
		return "", unavailable("discovery", errors.New("no authorization_endpoint"))
	}
	oc := oauth2.Config{ClientID: c.cfg.ClientID, RedirectURL: r.RedirectURL,
		Endpoint: oauth2.Endpoint{AuthURL: d.AuthorizationURL, TokenURL: d.TokenURL}, Scopes: []string{c.cfg.Scope}}
	return oc.AuthCodeURL(r.State, oidc.Nonce(r.Nonce), oauth2.S256ChallengeOption(r.Verifier),
		oauth2.SetAuthURLParam("acr_values", c.cfg.ACR)), nil
}

// Exchange redeems an authorization code with r's PKCE verifier and returns the verified
// identity (nonce checked).
func (c *Client) Exchange(ctx context.Context, r CodeRequest, code string) (Identity, error) {
	t, err := c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {r.RedirectURL}, "code_verifier": {r.Verifier}})
	var oe *OAuthError
	switch {
	case errors.As(err, &oe) && oe.Code == errInvalidGrant:
		return Identity{}, refuse(api.CodePSCTokenInvalid, "code refused: %s", oe.Description)
	case err != nil:
		var rf *Refusal
		if errors.As(err, &rf) {
			return Identity{}, err
		}
		return Identity{}, unavailable("token", err)
	}
	return c.Identify(ctx, t, r.Nonce)
}

// Logout ends the holder's PSC session (end_session with id_token_hint), only on an explicit
// sign-out, never on idle expiry (PSC's guideline). Best effort: the error is for the log.
func (c *Client) Logout(ctx context.Context, idToken string) error {
	d, err := c.Discover(ctx)
	if err != nil || d.EndSessionURL == "" || idToken == "" {
		return err
	}
	form := url.Values{"id_token_hint": {idToken}, "client_id": {c.cfg.ClientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.EndSessionURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("end_session: HTTP %d", resp.StatusCode)
	}
	return nil
}
