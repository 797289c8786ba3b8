package psc

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// GrantCIBA is the token endpoint's grant type of a CIBA poll.
const GrantCIBA = "urn:openid:params:grant-type:ciba"

// slowDownStep is what PSC's slow_down adds to the interval (CIBA core §11).
const slowDownStep = 5 * time.Second

// AuthRequest is a CIBA request PSC accepted: its auth_req_id (never shown to the agent),
// when it expires and the poll interval.
type AuthRequest struct {
	ID        string
	ExpiresAt time.Time
	Interval  time.Duration
}

type cibaAnswer struct {
	AuthReqID string `json:"auth_req_id"`
	ExpiresIn int    `json:"expires_in"`
	Interval  int    `json:"interval"`
}

// StartCIBA asks PSC to push a sign-in to the holder's e-CPS (or CPS-Gestion for the CARD
// channel) with binding, the 2 digits the phone shows. A national id PSC does not know is
// api.CodeCardUnknown, as an unenrolled card.
func (c *Client) StartCIBA(ctx context.Context, nationalID, binding string) (AuthRequest, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return AuthRequest{}, err
	}
	form := url.Values{"scope": {c.cfg.Scope}, "acr_values": {c.cfg.ACR}, "login_hint": {nationalID},
		"binding_message": {binding}, "channel": {c.cfg.Channel}}
	var a cibaAnswer
	err = c.post(ctx, d.cibaURL(), form, &a)
	var oe *OAuthError
	switch {
	case errors.As(err, &oe) && (oe.Code == errUnknownUser || oe.Code == "unknown_user"):
		return AuthRequest{}, refuse(api.CodeCardUnknown, "PSC does not know the national id (%s)", oe.Code)
	case errors.As(err, &oe) && oe.Code == errDenied:
		return AuthRequest{}, refuse(api.CodePSCDenied, "ciba request refused: %s", oe.Description)
	case err != nil:
		return AuthRequest{}, unavailable("ciba auth", err)
	case a.AuthReqID == "" || a.ExpiresIn <= 0:
		return AuthRequest{}, unavailable("ciba auth", errors.New("answer without auth_req_id or expires_in"))
	}
	if a.Interval <= 0 {
		a.Interval = 5 // CIBA's default
	}
	return AuthRequest{ID: a.AuthReqID, ExpiresAt: c.Now().Add(time.Duration(a.ExpiresIn) * time.Second),
		Interval: time.Duration(a.Interval) * time.Second}, nil
}

// Poll polls the token endpoint every interval until the holder approves (the tokens), denies
// (psc_denied) or the request expires (psc_expired). slow_down adds 5 s to the interval;
// access_denied and expired_token stop at once; no poll is ever sent at or past the expiry. A
// network failure is retried at the interval until the expiry (then psc_unavailable). ctx's
// end stops it (the cancellation).
func (c *Client) Poll(ctx context.Context, ar AuthRequest) (Tokens, error) {
	interval := ar.Interval
	var lastErr error
	for next := c.Now().Add(interval); ; next = c.Now().Add(interval) {
		if !next.Before(ar.ExpiresAt) {
			if lastErr != nil {
				return Tokens{}, unavailable("ciba poll", lastErr)
			}
			return Tokens{}, refuse(api.CodePSCExpired, "not approved before the request expired")
		}
		if err := sleepUntil(ctx, next.Sub(c.Now())); err != nil {
			return Tokens{}, err
		}
		t, err := c.token(ctx, url.Values{"grant_type": {GrantCIBA}, "auth_req_id": {ar.ID}})
		if c.OnPoll != nil {
			c.OnPoll(ar.ID, err)
		}
		var oe *OAuthError
		switch {
		case err == nil:
			return t, nil
		case ctx.Err() != nil:
			return Tokens{}, ctx.Err()
		case !errors.As(err, &oe):
			c.log.Warn("psc: ciba poll failed, retrying at the interval", "err", err)
			lastErr = err
		case oe.Code == errPending:
			lastErr = nil
		case oe.Code == errSlowDown:
			interval += slowDownStep
			lastErr = nil
		case oe.Code == errDenied:
			return Tokens{}, refuse(api.CodePSCDenied, "denied on the phone")
		case oe.Code == errExpired:
			return Tokens{}, refuse(api.CodePSCExpired, "PSC says the request expired")
		default:
			return Tokens{}, unavailable("ciba poll", oe)
		}
	}
}

func sleepUntil(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
