// Package client is the Go client of cpx-portal's /v1 API. It speaks api types only and knows
// nothing of its callers (cpx-agent's engine uses *Client as its portal port as it is). Every
// call returns *api.Error with a stable code when the portal refuses, and wraps a failure of
// the exchange itself in api.ErrPortalUnreachable, api.ErrPortalTimeout or
// api.ErrPortalCertificate (transport.go). One file per area of the API: card.go (card
// sign-in), auth.go (password, OTP, channels, recovery), session.go (session, profiles,
// phone, sign-out, password policy), events.go (the SSE stream).
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Options configure a Client.
type Options struct {
	// RootCAs verify the portal's certificate (nil: the system pool).
	RootCAs *x509.CertPool
	// Timeout bounds each call but the event stream (default 30 s).
	Timeout time.Duration
	// PKCS1Only restricts the card's TLS signatures to RSA PKCS#1 v1.5 (and so TLS 1.2):
	// needed for CPS3 keys, which cannot do PSS. nil decides from the signer: a signer with a
	// CanPSS() bool method answers for itself, a software *rsa.PrivateKey can do PSS, any other
	// RSA signer is taken as PKCS#1 v1.5 only.
	PKCS1Only *bool
	// Chain is sent after the card certificate (intermediate CAs), if the portal needs it.
	Chain []*x509.Certificate
}

// Client talks to one portal.
type Client struct {
	base *url.URL
	opts Options
	http *http.Client // JSON calls
	sse  *http.Client // event streams (no overall timeout)
}

// New returns a client of the portal at baseURL ("https://portal.example:8443").
func New(baseURL string, o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("portal url %q: must be https://host[:port]", baseURL)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
	return &Client{base: u, opts: o, http: &http.Client{Transport: tr, Timeout: o.Timeout},
		sse: &http.Client{Transport: tr}}, nil
}

// URL is the portal's base URL.
func (c *Client) URL() string { return c.base.String() }

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// do sends in (JSON, when not nil) to path with the session token (when not "") and decodes
// the answer into out (when not nil). A non-2xx answer is *api.Error.
func (c *Client) do(ctx context.Context, hc *http.Client, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("portal %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+api.Version+path, body)
	if err != nil {
		return fmt.Errorf("portal %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return transportErr(fmt.Sprintf("portal %s %s", method, path), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(out); err != nil {
		if isNetwork(err) { // the connection broke while the answer was read
			return transportErr(fmt.Sprintf("portal %s %s: read answer", method, path), err)
		}
		return fmt.Errorf("portal %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// ErrBadAnswer is an answer that is neither success nor a portal error body.
var ErrBadAnswer = errors.New("portal: unexpected answer")

func decodeError(resp *http.Response) error {
	var body api.ErrorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(b, &body); err != nil || body.Error == nil || body.Error.Code == "" {
		return fmt.Errorf("%w: http %d", ErrBadAnswer, resp.StatusCode)
	}
	body.Error.Status = resp.StatusCode
	return body.Error
}
