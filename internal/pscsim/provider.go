package pscsim

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"sync"

	"github.com/luikyv/go-oidc/pkg/goidc"
	"github.com/luikyv/go-oidc/pkg/provider"
)

// accessTokenSecs: PSC's access tokens live 120 s.
const accessTokenSecs = 120

// pscClaims are the claims discovery advertises.
var pscClaims = []string{
	"SubjectNameID", "preferred_username", "given_name", "family_name", "acr", "authMode",
	"SubjectRefPro", "SubjectRole", "SubjectOrganization", "SubjectOrganizationID",
	"Secteur_Activite", "Mode_Acces_Raison", "Acces_Regulation_Medicale",
	"Palier_Authentification", "otherIds", "codeCivilite",
}

// newProvider builds the go-oidc provider with PSC's paths (relative to the issuer: the
// server strips the realm path before the provider's handler).
func (s *Server) newProvider() (*provider.Provider, error) {
	var clients []*goidc.Client
	for _, c := range s.cfg.Clients {
		clients = append(clients, staticClient(c))
	}
	acrs := make([]goidc.ACR, len(ACRs))
	for i, a := range ACRs {
		acrs[i] = goidc.ACR(a)
	}
	return provider.New(s.issuer, nil, s.jwks,
		provider.WithSigner(s.signer),
		provider.WithScopes(goidc.ScopeOpenID, goidc.NewScope(ScopeAll)),
		provider.WithOpenIDScopeRequired(),
		// PSC advertises HS256/384/512 too (a pitfall clients must pin against); tokens are RS256.
		provider.WithIDTokenSignatureAlgs(goidc.RS256, goidc.HS256, goidc.HS384, goidc.HS512),
		provider.WithUserInfoSignatureAlgs(goidc.RS256),
		provider.WithACRs(acrs[0], acrs[1:]...),
		provider.WithClaims(pscClaims[0], pscClaims[1:]...),
		provider.WithAuthCodeGrant(nil),
		provider.WithPKCERequired(goidc.CodeChallengeMethodSHA256),
		provider.WithPolicies(s.loginPolicy()),
		provider.WithCIBAGrant(nil, goidc.CIBADeliveryModePoll),
		provider.WithCIBASessionHandler(s.onPush),
		provider.WithCIBAPollingInterval(secs(s.cfg.Interval)),
		provider.WithCIBALifetime(secs(s.cfg.ExpiresIn)),
		provider.WithRefreshTokenGrant(nil),
		provider.WithOpaqueTokens(nil),
		provider.WithTokenOptions(func(context.Context, *goidc.Grant, *goidc.Client) goidc.TokenOptions {
			return goidc.NewOpaqueTokenOptions(accessTokenSecs)
		}),
		provider.WithMTLS(s.issuer, s.clientCert),
		provider.WithTLSAuthn(),
		provider.WithSecretBasicAuthn(),
		provider.WithIDTokenClaims(s.idTokenClaims),
		provider.WithUserInfoClaims(s.userInfoClaims),
		provider.WithLogout(nil, s.afterLogout),
		provider.WithLogoutPolicies(goidc.NewLogoutPolicy("psc", func(*http.Request, *goidc.LogoutSession) bool { return true }, s.logout)),
		provider.WithTokenIntrospection(func(context.Context, *goidc.Client, goidc.TokenInfo) bool { return true }),
		provider.WithJTIConsumer(newJTISet().consume),
		provider.WithErrorHandler(func(_ context.Context, err error) { s.log.Debug("pscsim: protocol error", "err", err) }),
		provider.WithStaticClients(clients[0], clients[1:]...),
		provider.WithAuthorizeEndpoint(ProtocolPath+"/auth"),
		provider.WithTokenEndpoint(ProtocolPath+"/token"),
		provider.WithUserInfoEndpoint(ProtocolPath+"/userinfo"),
		provider.WithJWKSEndpoint(ProtocolPath+"/certs"),
		provider.WithCIBAEndpoint(ProtocolPath+"/ext/ciba/auth"),
		provider.WithLogoutEndpoint(ProtocolPath+"/logout"),
		provider.WithTokenIntrospectionEndpoint(ProtocolPath+"/token/introspect"),
	)
}

func staticClient(c Client) *goidc.Client {
	gc := &goidc.Client{ID: c.ID, Secret: c.Secret, ClientMeta: goidc.ClientMeta{
		GrantTypes:             []goidc.GrantType{goidc.GrantCIBA, goidc.GrantRefreshToken},
		ScopeIDs:               "openid " + ScopeAll,
		IDTokenSigAlg:          goidc.RS256,
		CIBATokenDeliveryMode:  goidc.CIBADeliveryModePoll,
		RedirectURIs:           c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		TokenAuthnMethod:       goidc.AuthnMethodSecretBasic,
	}}
	if len(c.RedirectURIs) > 0 {
		gc.GrantTypes = append(gc.GrantTypes, goidc.GrantAuthorizationCode)
		gc.ResponseTypes = []goidc.ResponseType{goidc.ResponseTypeCode}
	}
	if c.Secret == "" {
		gc.TokenAuthnMethod = goidc.AuthnMethodTLS
		gc.TLSSubjectDistinguishedName = c.TLSSubjectDN
	}
	if c.UserInfoJWT {
		gc.UserInfoSigAlg = goidc.RS256
	}
	return gc
}

type ctxKey int

const (
	keyRequest ctxKey = iota
)

// clientCert is the provider's ClientCertFunc: the certificate the TLS layer verified
// against the test PKI (tls.VerifyClientCertIfGiven), if the client sent one.
func (s *Server) clientCert(ctx context.Context) (*x509.Certificate, error) {
	info, _ := ctx.Value(keyRequest).(*reqInfo)
	if info == nil || info.r.TLS == nil || len(info.r.TLS.VerifiedChains) == 0 {
		return nil, errors.New("no verified client certificate")
	}
	return info.r.TLS.VerifiedChains[0][0], nil
}

// jtiSet refuses a JWT id seen before (private_key_jwt is not offered, but the provider
// asks for a consumer).
type jtiSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

func newJTISet() *jtiSet { return &jtiSet{seen: map[string]bool{}} }

func (j *jtiSet) consume(_ context.Context, id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.seen[id] {
		return errors.New("jti replayed")
	}
	j.seen[id] = true
	return nil
}
