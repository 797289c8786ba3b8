package pscsim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestRefreshIntrospectionAndLogout: what a portal does after the sign-in — refresh its
// tokens server-side, introspect, and end the PSC session on an explicit sign-out.
func TestRefreshIntrospectionAndLogout(t *testing.T) {
	s := start(t, Config{Knobs: Knobs{Approve: ApproveAuto}})
	hc := httpClient(s)
	f := newCodeFlow(t, s, hc, testClient)
	resp, err := hc.Get(f.authURL("899700000005"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tok, err := f.conf.Exchange(f.ctx, redirected(t, resp).Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("token %+v: want a refresh token and an expiry", tok)
	}
	fresh, err := f.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || fresh.AccessToken == "" || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %+v, %v", fresh, err)
	}

	req, _ := postRequest(s.issuer+ProtocolPath+"/token/introspect", url.Values{"token": {fresh.AccessToken}})
	req.SetBasicAuth(testClient, testSecret)
	ir, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	json.NewDecoder(ir.Body).Decode(&info) //nolint:errcheck
	ir.Body.Close()
	if info["active"] != true || info["client_id"] != testClient {
		t.Fatalf("introspection %v", info)
	}

	q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {testCB + "/bye"},
		"state": {"s-1"}, "client_id": {testClient}}
	lr, err := hc.Get(s.issuer + ProtocolPath + "/logout?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	lr.Body.Close()
	if loc := lr.Header.Get("Location"); lr.StatusCode/100 != 3 || !strings.HasPrefix(loc, testCB+"/bye") || !strings.Contains(loc, "state=s-1") {
		t.Fatalf("logout: %d %s", lr.StatusCode, loc)
	}
	if st := s.Stats(); st.Logouts != 1 {
		t.Fatalf("logouts %d", st.Logouts)
	}
}
