package pscsim

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// PSC's paths.
const (
	RealmPath     = "/auth/realms/esante-wallet"
	DiscoveryPath = "/.well-known/wallet-openid-configuration"
	StandardPath  = "/.well-known/openid-configuration"
	ProtocolPath  = "/protocol/openid-connect"
	AuthorizePath = "/wallet/auth"
	PhonePath     = "/telephone"
	apiPath       = "/sim/api"
)

// Defaults.
const (
	DefaultListen    = "127.0.0.1:8444"
	DefaultInterval  = 5 * time.Second
	DefaultExpiresIn = 120 * time.Second
	// DevClientID is the portal's dev client: tls_client_auth, see DevClient.
	DevClientID = "cpx-portal-dev"
	// ScopeAll is PSC's scope for every claim.
	ScopeAll = "scope_all"
	// GrantCIBA is the grant_type of CIBA token requests.
	GrantCIBA = "urn:openid:params:grant-type:ciba"
)

// ACR values PSC answers (the simulator's knobs may give others).
var ACRs = []string{"eidas1", "eidas2", "eidas3"}

// Approval modes of the simulated phone (Knobs.Approve).
const (
	ApproveManual = ""     // the push waits for Approve/Deny, the phone page or `cpx-pscsim approve`
	ApproveAuto   = "auto" // approved after Knobs.ApproveDelay
	ApproveDeny   = "deny" // denied after Knobs.ApproveDelay
)

// ErrConfig marks a bad configuration or knob.
var ErrConfig = errors.New("pscsim: bad configuration")

// Client is a relying party registered at the simulator.
type Client struct {
	ID string
	// Secret: client_secret_basic. Empty: tls_client_auth with TLSSubjectDN.
	Secret string
	// TLSSubjectDN is the expected client certificate subject, as pkix.Name.String prints it.
	TLSSubjectDN string
	// RedirectURIs for the code flow; none: CIBA only.
	RedirectURIs []string
	// PostLogoutRedirectURIs for end_session.
	PostLogoutRedirectURIs []string
	// UserInfoJWT: userinfo answers a JWT signed like ID tokens (application/jwt).
	UserInfoJWT bool
}

// DevClient is the portal's dev client: tls_client_auth with a certificate of the test PKI
// whose subject is pki.ServiceClientDN(DevClientID) (the portal issues it with
// pki.IssueClient(DevClientID)); redirectURIs enable the code flow.
func DevClient(redirectURIs ...string) Client {
	return Client{ID: DevClientID, TLSSubjectDN: pki.ServiceClientDN(DevClientID), RedirectURIs: redirectURIs}
}

// Config starts a simulator.
type Config struct {
	// Listen is host:port; default DefaultListen, port 0 picks one.
	Listen string
	// PKI signs the server certificate and verifies client certificates; nil: PKIDir.
	PKI *pki.PKI
	// PKIDir is the test PKI directory (pki.OpenOrCreateDemo); used when PKI is nil.
	PKIDir string
	// Users added to (or replacing, same national id) the demo holders.
	Users []User
	// Clients; none: DevClient without redirect URIs.
	Clients []Client
	// Interval between CIBA polls the simulator asks for (whole seconds, ≥ 1 s).
	Interval time.Duration
	// ExpiresIn of a CIBA request (whole seconds); Knobs.ExpiresIn overrides it per push.
	ExpiresIn time.Duration
	// Knobs at start; SetKnobs changes them.
	Knobs Knobs
	Log   *slog.Logger
}

// Knobs change the simulator's behaviour at run time, for tests and demos.
type Knobs struct {
	// Approve: ApproveManual, ApproveAuto or ApproveDeny.
	Approve string `json:"approve"`
	// ApproveDelay before an automatic answer (slow approval).
	ApproveDelay time.Duration `json:"approve_delay"`
	// SlowDown answers slow_down to the first SlowDown polls of each auth_req_id.
	SlowDown int `json:"slow_down"`
	// ExpiresIn of new pushes when > 0 (short expiry).
	ExpiresIn time.Duration `json:"expires_in"`
	// ACR given in ID tokens; empty: eidas1. Any string goes (e.g. "eidas0", too low).
	ACR string `json:"acr"`
	// NoACR: ID tokens without acr.
	NoACR bool `json:"no_acr"`
	// UnknownKey: ID tokens and userinfo JWTs signed by a key the JWKS does not publish.
	UnknownKey bool `json:"unknown_key"`
	// Audience, Issuer: when set, ID tokens carry this aud / iss instead of the real ones.
	Audience string `json:"audience"`
	Issuer   string `json:"issuer"`
	// ExpiredIDToken: ID tokens whose exp is already past.
	ExpiredIDToken bool `json:"expired_id_token"`
}

func (k Knobs) validate() error {
	switch k.Approve {
	case ApproveManual, ApproveAuto, ApproveDeny:
	default:
		return fmt.Errorf("%w: approve %q (want \"\", auto or deny)", ErrConfig, k.Approve)
	}
	if k.ApproveDelay < 0 || k.SlowDown < 0 || k.ExpiresIn < 0 {
		return fmt.Errorf("%w: negative delay, slow_down or expiry", ErrConfig)
	}
	if k.ExpiresIn > 0 && k.ExpiresIn < time.Second {
		return fmt.Errorf("%w: expiry below one second", ErrConfig)
	}
	return nil
}

func (c *Config) defaults() error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.ExpiresIn == 0 {
		c.ExpiresIn = DefaultExpiresIn
	}
	if c.Interval < time.Second || c.ExpiresIn < time.Second {
		return fmt.Errorf("%w: interval and expiry are whole seconds, at least 1 s", ErrConfig)
	}
	if len(c.Clients) == 0 {
		c.Clients = []Client{DevClient()}
	}
	for _, cl := range c.Clients {
		if cl.ID == "" || (cl.Secret == "") == (cl.TLSSubjectDN == "") {
			return fmt.Errorf("%w: client %q needs an id and exactly one of secret and tls subject", ErrConfig, cl.ID)
		}
	}
	if c.PKI == nil && c.PKIDir == "" {
		return fmt.Errorf("%w: no PKI and no PKI directory", ErrConfig)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c.Knobs.validate()
}

func secs(d time.Duration) int { return int((d + time.Second/2) / time.Second) }
