package psc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Tokens is a token endpoint's answer. It stays on the portal.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// post sends a form to a PSC endpoint with the client's authentication (client_secret_basic,
// or client_id in the form over tls_client_auth) and decodes a 200 into out. An OAuth error
// answer is an *OAuthError; a network failure or a non-JSON answer is another error.
func (c *Client) post(ctx context.Context, endpoint string, form url.Values, out any) error {
	if c.secret == "" {
		form.Set("client_id", c.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.secret != "" {
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.secret))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &OAuthError{Status: resp.StatusCode}
		if json.Unmarshal(body, e) != nil || e.Code == "" {
			return fmt.Errorf("%s: HTTP %d", endpoint, resp.StatusCode)
		}
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: %w", endpoint, err)
	}
	return nil
}

// token posts a grant to the token endpoint.
func (c *Client) token(ctx context.Context, form url.Values) (Tokens, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return Tokens{}, err
	}
	var t Tokens
	if err := c.post(ctx, d.TokenURL, form, &t); err != nil {
		return Tokens{}, err
	}
	if t.IDToken == "" {
		return Tokens{}, errors.New("token endpoint: no id_token")
	}
	return t, nil
}
