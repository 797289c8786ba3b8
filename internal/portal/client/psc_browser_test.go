package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The loopback of the browser flow: a redirect with another state is ignored (the sign-in
// goes on waiting), the portal's error code comes back as an *api.Error (a code of another shape as
// psc_handoff_invalid), the page escapes what it shows.
func TestBrowserSignInLoopback(t *testing.T) {
	c, err := New("https://portal.invalid:8443", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var opened *url.URL
	open := func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		opened = u
		q := u.Query()
		if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("workstation") != "poste-1" ||
			!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
			t.Errorf("browser URL %s", raw)
		}
		back := q.Get("redirect_uri")
		if code, body := get(t, back+"?code=stolen&state=someone-else"); code != http.StatusBadRequest || strings.Contains(body, "réussie") {
			t.Errorf("wrong state: HTTP %d %s", code, body)
		}
		if code, body := get(t, back+"?error=%3Cb%3Epsc_denied&state="+url.QueryEscape(q.Get("state"))); code != http.StatusOK || strings.Contains(body, "<b>") {
			t.Errorf("error redirect: HTTP %d %s", code, body)
		}
		return nil
	}
	_, err = c.BrowserSignIn(context.Background(), "poste-1", open)
	if opened == nil || api.CodeOf(err) != api.CodePSCHandoffFailed {
		t.Fatalf("refused sign-in: %v", err)
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
