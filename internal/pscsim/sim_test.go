package pscsim

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

const (
	testClient = "test-client"
	testSecret = "test-secret-not-psc"
	testCB     = "https://127.0.0.1:9/callback"
)

// start runs a simulator on loopback with the shared test PKI, a secret client (code flow
// and CIBA), a JWT-userinfo client and the tls_client_auth dev client.
func start(t testing.TB, cfg Config) *Server {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PKI = p
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Clients == nil {
		cfg.Clients = []Client{
			{ID: testClient, Secret: testSecret, RedirectURIs: []string{testCB}, PostLogoutRedirectURIs: []string{testCB + "/bye"}},
			{ID: "jwt-client", Secret: testSecret, RedirectURIs: []string{testCB}, UserInfoJWT: true},
			DevClient(testCB),
		}
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// httpClient trusts the simulator; certs are client certificates to present.
func httpClient(s *Server, certs ...tls.Certificate) *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.RootCAs(), Certificates: certs}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// oauthAnswer is a token or CIBA endpoint answer.
type oauthAnswer struct {
	Status      int
	Error       string `json:"error"`
	AuthReqID   string `json:"auth_req_id"`
	ExpiresIn   int    `json:"expires_in"`
	Interval    int    `json:"interval"`
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
}

// postForm posts a form with client_secret_basic for testClient (clientID "" sends no
// basic auth: tls_client_auth with client_id in the form).
func postForm(t testing.TB, hc *http.Client, endpoint, clientID string, form url.Values) oauthAnswer {
	t.Helper()
	if clientID == "" {
		form.Set("client_id", DevClientID)
	}
	req, err := postRequest(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	if clientID != "" {
		req.SetBasicAuth(clientID, testSecret)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := oauthAnswer{Status: resp.StatusCode}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("%s: %d %q: %v", endpoint, resp.StatusCode, body, err)
	}
	return a
}

func cibaForm(nationalID, code string) url.Values {
	return url.Values{"scope": {"openid scope_all"}, "acr_values": {"eidas1"}, "login_hint": {nationalID},
		"binding_message": {code}, "channel": {"MOBILE"}}
}

func pollForm(id string) url.Values {
	return url.Values{"grant_type": {GrantCIBA}, "auth_req_id": {id}}
}

func (s *Server) cibaURL() string  { return s.issuer + ProtocolPath + "/ext/ciba/auth" }
func (s *Server) tokenURL() string { return s.issuer + ProtocolPath + "/token" }

func postRequest(endpoint string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, err
}
