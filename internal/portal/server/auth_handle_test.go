package server_test

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestAuthRoutesRefuseBadJSON: every password, OTP, channel and recovery route with a JSON
// body answers a body that is not its JSON with 400 invalid_request — a session route only
// after the session check (401 without one) — and POST /v1/recovery/otp takes at least 250 ms
// whatever its body.
func TestAuthRoutesRefuseBadJSON(t *testing.T) {
	rig := startAuth(t, store.SQLite)
	const mail = "jeanne@samu.test"
	rig.account(t, "jeanne.testeuse", mail, goodPW, map[string]string{api.ChannelEmail: mail})
	in := rig.signIn(t, "jeanne.testeuse", goodPW, "poste-1", mail)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}}}
	do := func(method, path, token, body string) (int, string, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest(method, rig.pt.URL+api.Version+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := hc.Do(req)
		mustOK(t, err)
		defer resp.Body.Close()
		took := time.Since(start)
		var eb api.ErrorBody
		var got map[string]any
		if resp.StatusCode != http.StatusOK {
			mustOK(t, json.NewDecoder(resp.Body).Decode(&eb))
			return resp.StatusCode, eb.Error.Code, took
		}
		mustOK(t, json.NewDecoder(resp.Body).Decode(&got))
		return resp.StatusCode, got["message"].(string), took
	}
	const pad = 250 * time.Millisecond
	routes := []struct {
		method, path string
		session      bool
	}{
		{"POST", "/signin/password", false}, {"POST", "/signin/otp/send", false}, {"POST", "/signin/otp/verify", false},
		{"POST", "/recovery/start", false}, {"POST", "/recovery/answer", false}, {"POST", "/recovery/otp", false},
		{"POST", "/recovery/link", false}, {"POST", "/recovery/link/resend", false}, {"POST", "/recovery/reset", false},
		{"PUT", "/session/password", true}, {"PUT", "/session/secret-question", true},
		{"POST", "/session/channels/test", true}, {"POST", "/session/channels/validate", true},
	}
	for _, rt := range routes {
		for _, body := range []string{`{"no_such_field":1}`, `not json`} {
			token := ""
			if rt.session {
				if status, code, _ := do(rt.method, rt.path, "", body); status != http.StatusUnauthorized {
					t.Errorf("%s %s without a session: %d %s", rt.method, rt.path, status, code)
				}
				token = in.Token
			}
			status, code, took := do(rt.method, rt.path, token, body)
			if status != http.StatusBadRequest || code != api.CodeInvalidRequest {
				t.Errorf("%s %s %s: %d %s, want 400 %s", rt.method, rt.path, body, status, code, api.CodeInvalidRequest)
			}
			if rt.path == "/recovery/otp" && took < pad {
				t.Errorf("recovery/otp refused %s in %v, want at least %v", body, took, pad)
			}
		}
	}
	status, msg, took := do("POST", "/recovery/otp", "", `{"recovery_id":"none","kind":"email"}`)
	if status != http.StatusOK || msg != server.MsgRecoveryOTPFR || took < pad {
		t.Fatalf("recovery/otp of no flow: %d %q in %v", status, msg, took)
	}
}
