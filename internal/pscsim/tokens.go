package pscsim

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/luikyv/go-oidc/pkg/goidc"
)

// grantUser gives the user and the auth mode behind a grant.
func (s *Server) grantUser(g *goidc.Grant) (User, string, bool) {
	u, ok := s.users.bySub[g.Subject]
	mode, _ := g.Store["authMode"].(string)
	if mode == "" {
		mode = "MOBILE"
	}
	return u, mode, ok
}

// acrFor: the knob, else the first requested acr PSC knows, else eidas1.
func acrFor(k Knobs, requested string) string {
	if k.NoACR {
		return ""
	}
	if k.ACR != "" {
		return k.ACR
	}
	for _, a := range strings.Fields(requested) {
		if slices.Contains(ACRs, a) {
			return a
		}
	}
	return ACRs[0]
}

// idTokenClaims is the provider's IDTokenClaimsFunc: PSC claims, then the knobs.
func (s *Server) idTokenClaims(_ context.Context, g *goidc.Grant) map[string]any {
	u, mode, ok := s.grantUser(g)
	if !ok {
		return nil
	}
	k := s.Knobs()
	c := idTokenClaims(u, acrFor(k, g.AuthParams.ACRValues), mode)
	c["auth_time"] = g.CreatedAt
	if k.Audience != "" {
		c["aud"] = k.Audience
	}
	if k.Issuer != "" {
		c["iss"] = k.Issuer
	}
	if k.ExpiredIDToken {
		now := time.Now().Unix()
		c["iat"], c["exp"] = now-600, now-300
	}
	return c
}

// userInfoClaims is the provider's UserInfoClaimsFunc.
func (s *Server) userInfoClaims(_ context.Context, g *goidc.Grant) map[string]any {
	u, mode, ok := s.grantUser(g)
	if !ok {
		return nil
	}
	return UserInfo(u, mode)
}

// logout is the end_session policy: PSC forgets the session at once (the simulator keeps
// none beyond its grants) and counts the call.
func (s *Server) logout(http.ResponseWriter, *http.Request, *goidc.LogoutSession) (goidc.Status, error) {
	s.mu.Lock()
	s.stats.Logouts++
	s.mu.Unlock()
	return goidc.StatusSuccess, nil
}

// afterLogout answers an end_session call without post_logout_redirect_uri.
func (s *Server) afterLogout(w http.ResponseWriter, _ *http.Request, _ *goidc.LogoutSession) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(pageHead("Déconnexion") + "<h1>Vous êtes déconnecté de Pro Santé Connect (simulateur).</h1>" + pageFoot))
	return err
}
