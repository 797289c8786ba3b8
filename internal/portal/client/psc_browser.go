package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// ErrLoopbackState is a redirect to the agent's loopback whose state is not the one the agent
// sent: it is ignored (another page, or a forgery) and the sign-in goes on waiting.
var ErrLoopbackState = errors.New("portal: loopback redirect with a wrong state")

// BrowserSignIn runs the browser flow of Pro Santé Connect from the agent's side (the model
// is kubelogin/oauth2cli): it listens on 127.0.0.1 (random port), draws a state and a PKCE-like
// verifier, opens the portal's page with open (the system browser), receives the portal's
// redirect with a one-time handoff code and redeems it with the verifier. The session token
// comes in the redeem's answer, never in a URL.
func (c *Client) BrowserSignIn(ctx context.Context, workstation string, open func(url string) error) (api.SignIn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return api.SignIn{}, fmt.Errorf("loopback: %w", err)
	}
	defer ln.Close()
	state, verifier := random(), random()
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := "http://" + ln.Addr().String() + "/callback"
	got := make(chan loopbackResult, 1)
	srv := &http.Server{Handler: loopbackHandler(state, got), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	if err := open(c.PSCBrowserURL(redirect, state, challenge, workstation)); err != nil {
		return api.SignIn{}, fmt.Errorf("open the browser: %w", err)
	}
	select {
	case <-ctx.Done():
		return api.SignIn{}, ctx.Err()
	case r := <-got:
		if r.err != nil {
			return api.SignIn{}, r.err
		}
		return c.RedeemPSC(ctx, r.code, verifier)
	}
}

type loopbackResult struct {
	code string
	err  error
}

// loopbackHandler takes the first redirect whose state matches; it answers the browser with a
// short French page.
func loopbackHandler(state string, got chan<- loopbackResult) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path != "/callback" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, page("Cette page ne correspond à aucune connexion en cours de cpx-agent."))
			return
		}
		res := loopbackResult{code: q.Get("code")}
		msg := "Connexion réussie : vous pouvez fermer cette fenêtre et revenir à cpx-agent."
		if e := q.Get("error"); e != "" || res.code == "" {
			if !stableCode(e) {
				e = api.CodePSCHandoffFailed
			}
			res = loopbackResult{err: &api.Error{Status: http.StatusForbidden, Code: e, Message: "refused in the browser flow"}}
			msg = "Connexion refusée (" + e + ") : revenez à cpx-agent."
		}
		select {
		case got <- res:
			fmt.Fprint(w, page(msg))
		default:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, page("Cette connexion a déjà été reçue par cpx-agent."))
		}
	})
}

// stableCode: what a portal error code looks like (anything else from the URL is not taken).
func stableCode(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

func page(msg string) string {
	return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>cpx-agent</title></head><body><p id="msg">` +
		html.EscapeString(msg) + `</p></body></html>`
}

func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
