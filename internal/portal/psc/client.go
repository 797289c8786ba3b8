// Package psc is cpx-portal's Pro Santé Connect client (docs/psc.md): PSC's discovery
// document at its non-standard path turned into a go-oidc provider, ID tokens verified by
// go-oidc (issuer, audience, expiry, pinned algorithms; JWKS re-fetched on an unknown key id)
// plus nonce and acr policy, userinfo as JSON or signed JWT, the CIBA poll flow and the
// authorization-code flow with PKCE. The portal is the confidential client: its secret or
// client certificate never leaves it, and PSC's tokens stay on the portal.
package psc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/cpx-agent/cpx-agent/internal/portal/config"
)

// Discovery is the part of PSC's discovery document the portal uses.
type Discovery struct {
	Issuer             string   `json:"issuer"`
	AuthorizationURL   string   `json:"authorization_endpoint"`
	TokenURL           string   `json:"token_endpoint"`
	UserInfoURL        string   `json:"userinfo_endpoint"`
	JWKSURL            string   `json:"jwks_uri"`
	EndSessionURL      string   `json:"end_session_endpoint"`
	BackchannelAuthURL string   `json:"backchannel_authentication_endpoint"`
	Algorithms         []string `json:"id_token_signing_alg_values_supported"`
}

// Client talks to PSC for the portal. Discovery is fetched on first use (and again after a
// failure), so that a portal started while PSC is unreachable serves card and password
// sign-ins and answers psc_unavailable until PSC is back.
type Client struct {
	cfg    config.PSC
	secret string
	http   *http.Client
	log    *slog.Logger
	// Now is the clock of expiry checks (tests move it).
	Now func() time.Time
	// OnPoll, when set, is told of every CIBA poll and its outcome (tests, metrics).
	OnPoll func(authReqID string, err error)

	mu       sync.Mutex
	disc     *Discovery
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// New builds a client from a defaulted, validated configuration: the HTTP client trusts
// cfg.CAFile (else the system roots) and presents cfg.ClientCert for tls_client_auth.
func New(cfg config.PSC, log *slog.Logger) (*Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("psc ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("psc ca_file %s: no PEM certificate", cfg.CAFile)
		}
	}
	if cfg.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.ClientCert, cfg.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("psc client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	secret := ""
	if cfg.ClientSecretFile != "" {
		b, err := os.ReadFile(cfg.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("psc client_secret_file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	return NewTLS(cfg, tc, secret, log), nil
}

// NewTLS builds a client with its TLS configuration (trust for PSC, and the client
// certificate of tls_client_auth) and client secret given ("" for tls_client_auth).
func NewTLS(cfg config.PSC, tc *tls.Config, secret string, log *slog.Logger) *Client {
	return &Client{cfg: cfg, log: log, Now: time.Now, secret: secret,
		http: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{TLSClientConfig: tc,
			ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second}}}
}

// Config is the client's configuration.
func (c *Client) Config() config.PSC { return c.cfg }

// Discover returns the discovery document, fetching it when it is not cached yet. A failure
// is ErrUnavailable.
func (c *Client) Discover(ctx context.Context) (*Discovery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disc != nil {
		return c.disc, nil
	}
	d, err := c.fetchDiscovery(ctx)
	if err != nil {
		return nil, unavailable("discovery", err)
	}
	pctx := oidc.ClientContext(context.Background(), c.http)
	c.provider = (&oidc.ProviderConfig{IssuerURL: d.Issuer, AuthURL: d.AuthorizationURL, TokenURL: d.TokenURL,
		UserInfoURL: d.UserInfoURL, JWKSURL: d.JWKSURL, Algorithms: c.cfg.Algorithms}).NewProvider(pctx)
	// The algorithms are the configuration's, never the document's (PSC lists HS256 there).
	c.verifier = c.provider.VerifierContext(pctx, &oidc.Config{ClientID: c.cfg.ClientID,
		SupportedSigningAlgs: c.cfg.Algorithms, Now: func() time.Time { return c.Now() }})
	c.disc = d
	return d, nil
}

func (c *Client) fetchDiscovery(ctx context.Context) (*Discovery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.DiscoveryURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", c.cfg.DiscoveryURL, resp.StatusCode)
	}
	var d Discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", c.cfg.DiscoveryURL, err)
	}
	switch {
	case d.Issuer != c.cfg.Issuer:
		return nil, fmt.Errorf("discovery issuer %q is not the configured %q", d.Issuer, c.cfg.Issuer)
	case d.TokenURL == "" || d.JWKSURL == "":
		return nil, errors.New("discovery: token_endpoint or jwks_uri missing")
	}
	return &d, nil
}

// cibaURL is PSC's ext/ciba/auth endpoint (from discovery, else under the issuer).
func (d *Discovery) cibaURL() string {
	if d.BackchannelAuthURL != "" {
		return d.BackchannelAuthURL
	}
	return d.Issuer + "/protocol/openid-connect/ext/ciba/auth"
}
