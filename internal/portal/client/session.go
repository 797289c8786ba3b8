package client

import (
	"context"
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Session reads the session of token.
func (c *Client) Session(ctx context.Context, token string) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodGet, "/session", token, nil, &out)
	return out, err
}

// Profiles lists the user's profiles and the one last chosen on this workstation.
func (c *Client) Profiles(ctx context.Context, token string) (api.Profiles, error) {
	var out api.Profiles
	err := c.do(ctx, c.http, http.MethodGet, "/session/profiles", token, nil, &out)
	return out, err
}

// ChooseProfile sets the session's profile.
func (c *Client) ChooseProfile(ctx context.Context, token, profileID string) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodPut, "/session/profile", token, api.ChooseProfileRequest{ProfileID: profileID}, &out)
	return out, err
}

// LinkPhone links the session to a desk phone; api.CodePhoneTaken (details "holder") when
// another session holds it and req.Takeover is false.
func (c *Client) LinkPhone(ctx context.Context, token string, req api.LinkPhoneRequest) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodPut, "/session/phone", token, req, &out)
	return out, err
}

// UnlinkPhone frees the session's phone.
func (c *Client) UnlinkPhone(ctx context.Context, token string) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodDelete, "/session/phone", token, nil, &out)
	return out, err
}

// SignOut ends the session (its phone is freed).
func (c *Client) SignOut(ctx context.Context, token string) error {
	return c.do(ctx, c.http, http.MethodDelete, "/session", token, nil, nil)
}

// PasswordPolicy reads the password rules in force.
func (c *Client) PasswordPolicy(ctx context.Context) (api.PasswordPolicy, error) {
	var out api.PasswordPolicy
	err := c.do(ctx, c.http, http.MethodGet, "/password/policy", "", nil, &out)
	return out, err
}
