package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PSC configures the portal as a Pro Santé Connect client (docs/psc.md). It is off while
// issuer and preset are both empty. Environment: CPX_PORTAL_PSC_<KEY> (e.g.
// CPX_PORTAL_PSC_ISSUER); lists are comma-separated there.
type PSC struct {
	// Preset fills issuer (and nothing secret) for "production" or "bas" (ANS's test platform).
	Preset string `json:"preset"`
	Issuer string `json:"issuer"`
	// DiscoveryURL defaults to PSC's non-standard issuer + /.well-known/wallet-openid-configuration.
	DiscoveryURL string `json:"discovery_url"`
	ClientID     string `json:"client_id"`
	// ClientSecretFile holds the client secret (client_secret_basic); leave it empty for
	// tls_client_auth with ClientCert and ClientKey (ANS's Espace de Confiance and BAS).
	ClientSecretFile string `json:"client_secret_file"`
	ClientCert       string `json:"client_cert"`
	ClientKey        string `json:"client_key"`
	// CAFile is the PEM bundle trusted for PSC's hosts (default: the system roots).
	CAFile string `json:"ca_file"`
	Scope  string `json:"scope"` // "openid scope_all"
	ACR    string `json:"acr"`   // requested: "eidas1"
	// AcceptedACR lists the acr values a sign-in may carry (eidas1, eidas2, eidas3).
	AcceptedACR []string `json:"accepted_acr"`
	// MissingACR is what an ID token without acr gets: "refuse" (default) or "accept".
	MissingACR string `json:"missing_acr"`
	// Algorithms are the ID-token signature algorithms accepted (RS256, PS256, ES256); HS* is
	// never accepted, whatever the discovery document lists.
	Algorithms []string `json:"algorithms"`
	Channel    string   `json:"channel"` // CIBA channel: MOBILE (e-CPS push, default) or CARD
	// PublicURL is the portal's address as a browser reaches it (the code flow's callback is
	// PublicURL + /v1/signin/psc/browser/callback). Default: https:// + listen.
	PublicURL string `json:"public_url"`
}

// PSC presets: ANS's production and test (BAS) platforms.
var pscPresets = map[string]string{
	"production": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet",
	"bas":        "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet",
}

// PSCDiscoveryPath is PSC's discovery document, under the issuer.
const PSCDiscoveryPath = "/.well-known/wallet-openid-configuration"

// On reports whether PSC sign-in is configured.
func (p PSC) On() bool { return p.Issuer != "" || p.Preset != "" }

// WithDefaults applies the preset and fills the zero values.
func (p PSC) WithDefaults() PSC {
	if p.Issuer == "" {
		p.Issuer = pscPresets[p.Preset]
	}
	p.Issuer = strings.TrimSuffix(p.Issuer, "/")
	if p.DiscoveryURL == "" && p.Issuer != "" {
		p.DiscoveryURL = p.Issuer + PSCDiscoveryPath
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&p.Scope, "openid scope_all")
	def(&p.ACR, "eidas1")
	def(&p.MissingACR, "refuse")
	def(&p.Channel, "MOBILE")
	if len(p.AcceptedACR) == 0 {
		p.AcceptedACR = []string{"eidas1", "eidas2", "eidas3"}
	}
	if len(p.Algorithms) == 0 {
		p.Algorithms = []string{"RS256", "PS256", "ES256"}
	}
	return p
}

// Validate checks a defaulted PSC configuration.
func (p PSC) Validate() error {
	if !p.On() {
		return nil
	}
	if _, ok := pscPresets[p.Preset]; p.Preset != "" && !ok {
		return fmt.Errorf("config: psc.preset %q: want production or bas", p.Preset)
	}
	switch {
	case p.ClientID == "":
		return errors.New("config: psc.client_id is required")
	case p.ClientSecretFile == "" && (p.ClientCert == "" || p.ClientKey == ""):
		return errors.New("config: psc needs client_cert and client_key (tls_client_auth) or client_secret_file")
	case p.ClientSecretFile != "" && p.ClientCert != "":
		return errors.New("config: psc: choose client_secret_file or client_cert, not both")
	case p.MissingACR != "refuse" && p.MissingACR != "accept":
		return errors.New("config: psc.missing_acr must be refuse or accept")
	case p.Channel != "MOBILE" && p.Channel != "CARD":
		return errors.New("config: psc.channel must be MOBILE or CARD")
	}
	for _, a := range p.Algorithms {
		if strings.HasPrefix(strings.ToUpper(a), "HS") || strings.EqualFold(a, "none") {
			return fmt.Errorf("config: psc.algorithms: %s is never accepted for ID tokens", a)
		}
		if !slices.Contains([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}, a) {
			return fmt.Errorf("config: psc.algorithms: unknown algorithm %q", a)
		}
	}
	return nil
}
