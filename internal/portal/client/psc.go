package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// StartPSC starts a Pro Santé Connect sign-in pushed to the holder's e-CPS app: the answer
// carries the 2-digit binding code to show, the expiry and PSC's poll interval.
func (c *Client) StartPSC(ctx context.Context, nationalID, workstation string) (api.PSCStart, error) {
	var out api.PSCStart
	err := c.do(ctx, c.http, http.MethodPost, "/signin/psc/ciba", "",
		api.PSCStartRequest{NationalID: nationalID, Workstation: workstation}, &out)
	return out, err
}

// WaitPSC waits (long poll, up to the portal's limit, about 25 s) for the outcome: Status
// pending (ask again), or done with the sign-in; a refusal is an *api.Error (psc_denied,
// psc_expired, card_unknown …).
func (c *Client) WaitPSC(ctx context.Context, requestID string) (api.PSCWait, error) {
	var out api.PSCWait
	err := c.do(ctx, c.sse, http.MethodPost, "/signin/psc/ciba/wait", "", api.PSCRequest{RequestID: requestID}, &out)
	return out, err
}

// CancelPSC stops a pending sign-in: the portal stops polling PSC at once.
func (c *Client) CancelPSC(ctx context.Context, requestID string) error {
	return c.do(ctx, c.http, http.MethodPost, "/signin/psc/ciba/cancel", "", api.PSCRequest{RequestID: requestID}, nil)
}

// RedeemPSC redeems the browser flow's one-time handoff code with the verifier the agent drew.
func (c *Client) RedeemPSC(ctx context.Context, code, verifier string) (api.SignIn, error) {
	var out api.SignIn
	err := c.do(ctx, c.http, http.MethodPost, "/signin/psc/browser/redeem", "", api.PSCRedeemRequest{Code: code, Verifier: verifier}, &out)
	return out, err
}

// PSCBrowserURL is the portal page the system browser opens for the browser flow.
func (c *Client) PSCBrowserURL(redirect, state, challenge, workstation string) string {
	q := url.Values{"redirect_uri": {redirect}, "state": {state}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}, "workstation": {workstation}}
	return c.base.String() + api.Version + "/signin/psc/browser?" + q.Encode()
}
