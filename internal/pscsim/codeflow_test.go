package pscsim

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// codeFlow is one browser sign-in driven by a plain OAuth2/OIDC client.
type codeFlow struct {
	conf     oauth2.Config
	provider *oidc.Provider
	ctx      context.Context
	verifier string
	state    string
	nonce    string
}

func newCodeFlow(t *testing.T, s *Server, hc *http.Client, clientID string) *codeFlow {
	t.Helper()
	p, _ := discover(t, s, hc)
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	return &codeFlow{
		conf: oauth2.Config{ClientID: clientID, ClientSecret: testSecret, Endpoint: ep, RedirectURL: testCB,
			Scopes: []string{oidc.ScopeOpenID, ScopeAll}},
		provider: p, ctx: oidc.ClientContext(context.Background(), hc),
		verifier: oauth2.GenerateVerifier(), state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier(),
	}
}

func (f *codeFlow) authURL(loginHint string) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier), oidc.Nonce(f.nonce),
		oauth2.SetAuthURLParam("acr_values", "eidas1")}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return f.conf.AuthCodeURL(f.state, opts...)
}

// redirected checks a redirect to the callback and gives its query.
func redirected(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 || !strings.HasPrefix(loc.String(), testCB) {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("want a redirect to the callback, got %d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return loc.Query()
}

var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)

// signInOnPage fills the sign-in page as a browser would.
func signInOnPage(t *testing.T, s *Server, hc *http.Client, authURL, nationalID, mode string) url.Values {
	t.Helper()
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(string(page), "Se connecter") {
		t.Fatalf("sign-in page: %d %.400s", resp.StatusCode, page)
	}
	form := url.Values{"national_id": {nationalID}, "mode": {mode}, "action": {"login"}}
	resp, err = hc.PostForm(s.Origin()+string(m[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return redirected(t, resp)
}

func TestCodeFlowPKCEOnTheSignInPage(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	f := newCodeFlow(t, s, hc, testClient)
	if !strings.HasPrefix(f.conf.Endpoint.AuthURL, s.Origin()+"/wallet/auth") {
		t.Fatalf("authorization endpoint %s", f.conf.Endpoint.AuthURL)
	}
	q := signInOnPage(t, s, hc, f.authURL(""), "0999700016", "CARD")
	if q.Get("state") != f.state || q.Get("code") == "" {
		t.Fatalf("callback %v", q)
	}
	if _, err := f.conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("a wrong PKCE verifier was accepted")
	}
	q = signInOnPage(t, s, hc, f.authURL(""), "0999700016", "CARD")
	tok, err := f.conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.provider.VerifierContext(f.ctx, &oidc.Config{ClientID: testClient, SupportedSigningAlgs: []string{"RS256"}}).Verify(f.ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var c pscIDClaims
	if err := idt.Claims(&c); err != nil || idt.Nonce != f.nonce || c.SubjectNameID != "0999700016" || c.AuthMode != "CARD" {
		t.Fatalf("id token claims %+v nonce %q: %v", c, idt.Nonce, err)
	}
	ui, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		SubjectNameID string         `json:"SubjectNameID"`
		RefPro        map[string]any `json:"SubjectRefPro"`
		AuthMode      string         `json:"authMode"`
	}
	if err := ui.Claims(&info); err != nil || info.SubjectNameID != "0999700016" || info.RefPro == nil || ui.Subject != idt.Subject {
		t.Fatalf("userinfo %+v sub %s: %v", info, ui.Subject, err)
	}
}

func TestCodeFlowRefusals(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	f := newCodeFlow(t, s, hc, testClient)
	// Without PKCE: refused (PSC's flow always has it here).
	resp, err := hc.Get(f.conf.AuthCodeURL(f.state, oidc.Nonce(f.nonce)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if q := redirected(t, resp); q.Get("error") != "invalid_request" {
		t.Fatalf("without PKCE: %v", q)
	}
	// Cancel on the page: access_denied.
	resp, err = hc.Get(f.authURL(""))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindSubmatch(page)
	resp, err = hc.PostForm(s.Origin()+string(m[1]), url.Values{"action": {"cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if q := redirected(t, resp); q.Get("error") != "access_denied" || q.Get("state") != f.state {
		t.Fatalf("cancel: %v", q)
	}
}

func TestCodeFlowAutoApproveAndJWTUserinfo(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{Approve: ApproveAuto}})
	hc := httpClient(s)
	f := newCodeFlow(t, s, hc, "jwt-client")
	resp, err := hc.Get(f.authURL("899700000005"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := redirected(t, resp)
	tok, err := f.conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, f.provider.UserInfoEndpoint(), nil)
	tok.SetAuthHeader(req)
	raw, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	if ct := raw.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jwt") {
		t.Fatalf("userinfo content type %q, want application/jwt", ct)
	}
	ui, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		SubjectNameID string `json:"SubjectNameID"`
		Regulation    string `json:"Acces_Regulation_Medicale"`
	}
	if err := ui.Claims(&info); err != nil || info.SubjectNameID != "899700000005" || info.Regulation != "VRAI" {
		t.Fatalf("JWT userinfo %+v: %v", info, err)
	}
}
