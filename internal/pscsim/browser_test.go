package pscsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/cpx-agent/cpx-agent/internal/testrig/chrome"
)

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, steps...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		t.Fatalf("%v; page:\n%s", err, html)
	}
}

// TestSignInPageInChromium: the code flow's sign-in page in a real headless Chromium, from
// the authorization URL to the relying party's callback.
func TestSignInPageInChromium(t *testing.T) {
	got := make(chan url.Values, 1)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
		w.Write([]byte("<h1 id=rp>retour</h1>")) //nolint:errcheck
	}))
	defer rp.Close()
	s := start(t, Config{Clients: []Client{{ID: testClient, Secret: testSecret, RedirectURIs: []string{rp.URL + "/cb"}}}})
	hc := httpClient(s)
	f := newCodeFlow(t, s, hc, testClient)
	f.conf.RedirectURL = rp.URL + "/cb"
	b := chrome.New(t, chromedp.IgnoreCertErrors) // the test PKI's root is not the browser's

	run(t, b, chromedp.Navigate(f.authURL("")), chromedp.WaitVisible(chromedp.ID("national_id")))
	if h, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h != "Connexion avec Pro Santé Connect" {
		t.Fatalf("title %q", h)
	}
	// An unknown id first: the page says so and stays.
	run(t, b, chromedp.SendKeys(chromedp.ID("national_id"), "123"), chromedp.Click(chromedp.ID("se-connecter")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	run(t, b, chromedp.Clear(chromedp.ID("national_id")), chromedp.SendKeys(chromedp.ID("national_id"), "3990000010/000000026"),
		chromedp.Click(chromedp.ID("mode-carte")), chromedp.Click(chromedp.ID("se-connecter")), chromedp.WaitVisible(chromedp.ID("rp")))
	q := <-got
	if q.Get("state") != f.state {
		t.Fatalf("callback %v", q)
	}
	tok, err := f.conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := verifyIDToken(t, s, hc, testClient, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var c pscIDClaims
	if err := idt.Claims(&c); err != nil || c.SubjectNameID != "3990000010/000000026" || c.AuthMode != "CARD" {
		t.Fatalf("claims %+v: %v", c, err)
	}
}

// TestPhonePageInChromium: a push shown as the e-CPS app shows it, approved with the button.
func TestPhonePageInChromium(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("899700000005", "42"))
	b := chrome.New(t, chromedp.IgnoreCertErrors)
	run(t, b, chromedp.Navigate(s.PhoneURL()+"?national_id=899700000005"), chromedp.WaitVisible(chromedp.ID("push-42")))
	section, _ := chromedp.Run(b, chromedp.Text(chromedp.ID("push-42")))
	for _, want := range []string{"JEANNE DURAND", "899700000005", "42", "Service : " + testClient, "Approuver", "Refuser"} {
		if !strings.Contains(section, want) {
			t.Errorf("the push lacks %q: %q", want, section)
		}
	}
	run(t, b, chromedp.Click(chromedp.CSS(`#push-42 button[value=approuver]`)), chromedp.WaitVisible(chromedp.ID("fait")))
	if done, _ := chromedp.Run(b, chromedp.Text(chromedp.ID("fait"))); done != "Demande approuvée." {
		t.Fatalf("after approval the phone says %q", done)
	}
	if p, _ := s.Push(a.AuthReqID); p.State != StateApproved {
		t.Fatalf("push %+v", p)
	}
	if got := postForm(t, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.IDToken == "" {
		t.Fatalf("poll after approval on the page: %+v", got)
	}
}
