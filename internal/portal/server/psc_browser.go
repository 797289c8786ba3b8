package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
)

// The browser flow (kubelogin/oauth2cli's shape): the agent listens on 127.0.0.1, opens the
// system browser at GET /v1/signin/psc/browser with its loopback redirect, its own state and
// the S256 challenge of a verifier it keeps; the portal runs code + PKCE + state + nonce with
// PSC, then sends the browser back to the loopback with a one-time handoff code, which only
// the agent holding the verifier can redeem (POST …/redeem) for the session. The session token
// never travels in a URL.

// browserRequest is a browser sign-in between the portal's redirect to PSC and the callback.
type browserRequest struct {
	code       psc.CodeRequest
	redirect   string // the agent's loopback
	agentState string
	challenge  string
	attempt    pscAttempt
	expiresAt  time.Time
}

// handoff is a verified identity waiting for the agent's redeem.
type handoff struct {
	id        psc.Identity
	challenge string
	attempt   pscAttempt
	expiresAt time.Time
}

// startBrowser: GET /v1/signin/psc/browser?redirect_uri=&state=&code_challenge=
// &code_challenge_method=S256&workstation=. Redirects to PSC's authorization page.
func (s *Server) startBrowser(w http.ResponseWriter, r *http.Request) {
	c, e := s.pscClient()
	if e != nil {
		s.browserPage(w, e)
		return
	}
	q := r.URL.Query()
	br := &browserRequest{redirect: q.Get("redirect_uri"), agentState: q.Get("state"), challenge: q.Get("code_challenge"),
		attempt: pscAttempt{flow: "browser", workstation: q.Get("workstation"), remote: r.RemoteAddr}}
	switch {
	case !loopbackRedirect(br.redirect):
		e = badRequest("redirect_uri: http://127.0.0.1:PORT/… (the agent's loopback) is required")
	case !validText(br.agentState, 128) || len(br.agentState) < 16:
		e = badRequest("state: 16 to 128 printable characters")
	case q.Get("code_challenge_method") != "S256" || len(br.challenge) != 43:
		e = badRequest("code_challenge: an S256 challenge (code_challenge_method=S256) is required")
	case !validText(br.attempt.workstation, 128):
		e = badRequest("workstation: 1 to 128 printable characters")
	}
	if e != nil {
		s.browserPage(w, e)
		return
	}
	br.code = psc.NewCodeRequest(s.opts.PSC.PublicURL + api.Version + "/signin/psc/browser/callback")
	to, err := c.AuthCodeURL(r.Context(), br.code)
	if err != nil {
		s.browserPage(w, s.pscRefused(r.Context(), br.attempt, err, ""))
		return
	}
	br.expiresAt = time.Now().Add(s.opts.PSC.LoginTTL)
	s.psc.mu.Lock()
	s.sweepBrowser(time.Now())
	s.psc.browser[br.code.State] = br
	s.psc.mu.Unlock()
	http.Redirect(w, r, to, http.StatusFound)
}

// browserCallback: GET /v1/signin/psc/browser/callback?code=&state= from PSC. The state is
// used once; the code is redeemed with the PKCE verifier and the ID token's nonce checked;
// the browser then goes back to the agent's loopback with a handoff code or an error code.
func (s *Server) browserCallback(w http.ResponseWriter, r *http.Request) {
	c, e := s.pscClient()
	if e != nil {
		s.browserPage(w, e)
		return
	}
	q := r.URL.Query()
	s.psc.mu.Lock()
	br := s.psc.browser[q.Get("state")]
	delete(s.psc.browser, q.Get("state"))
	s.psc.mu.Unlock()
	if br == nil || time.Now().After(br.expiresAt) {
		a := pscAttempt{flow: "browser", remote: r.RemoteAddr}
		s.browserPage(w, s.pscRefused(r.Context(), a, &psc.Refusal{Code: api.CodePSCStateInvalid, Reason: "unknown, replayed or expired state"}, ""))
		return
	}
	back := url.Values{"state": {br.agentState}}
	var err error
	switch pe := q.Get("error"); {
	case pe == "access_denied":
		err = &psc.Refusal{Code: api.CodePSCDenied, Reason: "denied at PSC: " + q.Get("error_description")}
	case pe != "":
		err = &psc.Refusal{Code: api.CodePSCUnavailable, Reason: "PSC error " + pe}
	}
	var id psc.Identity
	if err == nil {
		id, err = c.Exchange(r.Context(), br.code, q.Get("code"))
	}
	if err != nil {
		back.Set("error", s.pscRefused(r.Context(), br.attempt, err, "").Code)
	} else {
		h := psc.RandomToken()
		s.psc.mu.Lock()
		s.psc.handoffs[h] = &handoff{id: id, challenge: br.challenge, attempt: br.attempt,
			expiresAt: time.Now().Add(s.opts.PSC.HandoffTTL)}
		s.psc.mu.Unlock()
		back.Set("code", h)
	}
	http.Redirect(w, r, br.redirect+"?"+back.Encode(), http.StatusFound)
}

// redeemHandoff: POST /v1/signin/psc/browser/redeem {code, verifier}. The code works once
// (a replay, a wrong verifier or a late redeem is psc_handoff_invalid and burns it); then the
// account is checked and the session opened as for a card.
func (s *Server) redeemHandoff(r *http.Request, req api.PSCRedeemRequest) (api.SignIn, *api.Error) {
	s.psc.mu.Lock()
	h := s.psc.handoffs[req.Code]
	delete(s.psc.handoffs, req.Code)
	s.psc.mu.Unlock()
	a := pscAttempt{flow: "browser", remote: r.RemoteAddr}
	if h == nil || time.Now().After(h.expiresAt) {
		return api.SignIn{}, s.pscRefused(r.Context(), a, &psc.Refusal{Code: api.CodePSCHandoffFailed, Reason: "unknown, replayed or expired handoff code"}, "")
	}
	sum := sha256.Sum256([]byte(req.Verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.challenge)) != 1 {
		h.attempt.remote = r.RemoteAddr
		h.attempt.subject = h.id.NationalID
		return api.SignIn{}, s.pscRefused(r.Context(), h.attempt, &psc.Refusal{Code: api.CodePSCHandoffFailed, Reason: "verifier does not match the challenge"}, "")
	}
	return s.pscSignIn(r.Context(), h.attempt, h.id)
}

// sweepBrowser drops expired browser requests and handoffs (psc.mu held).
func (s *Server) sweepBrowser(now time.Time) {
	for k, b := range s.psc.browser {
		if now.After(b.expiresAt) {
			delete(s.psc.browser, k)
		}
	}
	for k, h := range s.psc.handoffs {
		if now.After(h.expiresAt) {
			delete(s.psc.handoffs, k)
		}
	}
}

// loopbackRedirect accepts only the agent's loopback: http://127.0.0.1:PORT/path or [::1].
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() == "" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

var browserTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect — cpx-portal</title></head>
<body><h1>Connexion impossible</h1><p>{{.Message}}</p><p>Code : <code>{{.Code}}</code></p>
<p>Fermez cette fenêtre et recommencez depuis cpx-agent.</p></body></html>
`))

// browserPage shows a refusal the browser cannot take back to the agent.
func (s *Server) browserPage(w http.ResponseWriter, e *api.Error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	browserTmpl.Execute(w, e)
}
