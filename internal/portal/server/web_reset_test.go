package server_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/testrig/chrome"
)

var pageLinkRe = regexp.MustCompile(`https://portail\.test/reinitialisation\?jeton=\S+`)

// pageLink waits for mail n of to and returns its link, on the test portal's address (the
// mail names the configured public address, portail.test).
func (rig *authRig) pageLink(t *testing.T, to string, n int) string {
	t.Helper()
	waitMail(t, rig, to, n)
	m := pageLinkRe.FindString(rig.mails(t, to)[n-1])
	if m == "" {
		t.Fatalf("no link to the page in mail %d: %q", n, rig.mails(t, to)[n-1])
	}
	u, err := url.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	return rig.pt.URL + u.RequestURI()
}

// browse opens a headless Chromium that records every URL it requests.
func browse(t *testing.T) (context.Context, func() []string) {
	ctx := chrome.New(t, chromedp.IgnoreCertErrors) // the test PKI's CA is not the browser's
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), urls...) }
}

func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("#%s: %v", id, err)
	}
	return s
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// fill types the new password twice and submits, then waits for the element of the answer.
func fill(t *testing.T, ctx context.Context, pw, confirm, want string) {
	t.Helper()
	do(t, ctx, chromedp.SendKeys(chromedp.ID("nouveau"), pw), chromedp.SendKeys(chromedp.ID("confirmation-mdp"), confirm),
		chromedp.Click(chromedp.ID("valider")))
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.ID(want))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		t.Fatalf("#%s not shown (%v); page:\n%s", want, err, html)
	}
}

func TestResetPageInChromium(t *testing.T) {
	rig := startAuth(t, store.SQLite, func(a *server.AuthOptions) { a.LinkURL = server.ResetLinkPrefix("https://portail.test/") })
	ctx := context.Background()
	const mail, newPW = "jeanne@samu.test", "Neuf#mot2passe-ok"
	rig.withQuestion(t, "jeanne.testeuse", mail)
	base := len(rig.mails(t, mail))
	rig.recover(t, api.RecoverPassword, "jeanne.testeuse", answer)
	link := rig.pageLink(t, mail, base+1)
	b, requests := browse(t)

	do(t, b, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("nouveau")))
	loc, err := chromedp.Run(b, chromedp.Location())
	if err != nil || loc != rig.pt.URL+server.ResetPagePath {
		t.Fatalf("address bar %q (%v): the token must leave it", loc, err)
	}
	if got := text(t, b, "identifiant"); got != "jeanne.testeuse" {
		t.Fatalf("identifiant %q", got)
	}
	if rules := text(t, b, "regles"); !strings.Contains(rules, "Au moins 12 caractères") || !strings.Contains(rules, "Au moins un chiffre") {
		t.Fatalf("policy not listed: %q", rules)
	}
	if v := text(t, b, "validite"); !strings.Contains(v, "15 minutes") {
		t.Fatalf("validity %q", v)
	}

	// A password the policy refuses: the page says which rule, and the link still works.
	fill(t, b, "courtcourt", "courtcourt", "erreur")
	if e := text(t, b, "regles-non-respectees"); !strings.Contains(e, "Au moins 12 caractères") || !strings.Contains(e, "Au moins un chiffre") ||
		strings.Contains(e, "minuscule") {
		t.Fatalf("refused rules %q", e)
	}
	fill(t, b, newPW, newPW, "confirmation")
	if got := text(t, b, "confirmation"); got != "Votre mot de passe a été modifié" {
		t.Fatalf("confirmation %q", got)
	}
	waitMail(t, rig, mail, base+2) // seed 001's confirmation mail
	if _, err := rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(newPW), "poste-1", ""); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}

	// The same link again: used, and the page says so.
	do(t, b, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h != "Lien déjà utilisé" {
		t.Fatalf("used link shows %q", h)
	}

	// An expired link: the page offers a new one, sent to the account's own address.
	rig.recover(t, api.RecoverPassword, "jeanne.testeuse", answer)
	old := rig.pageLink(t, mail, base+3)
	rig.clk.Add(16 * time.Minute)
	do(t, b, chromedp.Navigate(old), chromedp.WaitVisible(chromedp.ID("renvoyer")))
	do(t, b, chromedp.Click(chromedp.ID("renvoyer")), chromedp.WaitVisible(chromedp.ID("confirmation")))
	fresh := rig.pageLink(t, mail, base+4)
	do(t, b, chromedp.Navigate(fresh), chromedp.WaitVisible(chromedp.ID("nouveau")))
	fill(t, b, "Autre#mot2passe-ok", "Autre#mot2passe-ok", "confirmation")

	for _, u := range requests() {
		if !strings.HasPrefix(u, rig.pt.URL+"/") {
			t.Errorf("the page loaded %s, outside the portal", u)
		}
	}
	if len(requests()) < 8 {
		t.Fatalf("only %d requests recorded: the recorder is not working", len(requests()))
	}
}

// The page's headers: a strict CSP and no cache, no referrer; no script in the HTML.
func TestResetPageHeaders(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(rig.pt.URL + server.ResetPagePath + "?jeton=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != server.ResetPagePath {
		t.Fatalf("link answer %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || !ck[0].Secure || ck[0].SameSite != http.SameSiteLaxMode || ck[0].Path != server.ResetPagePath {
		t.Fatalf("cookie %+v", ck)
	}
	// A form posted from another site is refused, even with the cookie.
	req, _ := http.NewRequest(http.MethodPost, rig.pt.URL+server.ResetPagePath, strings.NewReader("nouveau=x&confirmation=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(ck[0])
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %v %v", resp, err)
	}
	for _, path := range []string{server.ResetPagePath, server.ResetPagePath + "?jeton=abc"} {
		resp, err := c.Get(rig.pt.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}
