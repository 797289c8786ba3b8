package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// fuzzRoutes are the routes that read a JSON body, one per request type of the API.
var fuzzRoutes = []struct {
	method, path string
	authed       bool
	seed         any
}{
	{"POST", "/signin/card", false, api.CardSignInRequest{Workstation: "poste-1"}},
	{"PUT", "/session/profile", true, api.ChooseProfileRequest{ProfileID: "p"}},
	{"PUT", "/session/phone", true, api.LinkPhoneRequest{Number: "1001"}},
	{"POST", "/signin/password", false, api.PasswordSignInRequest{Identifiant: "jeanne.fuzz", Password: "x", Workstation: "w"}},
	{"POST", "/signin/otp/send", false, api.OTPSendRequest{ChallengeID: "c", Kind: "email"}},
	{"POST", "/signin/otp/verify", false, api.OTPVerifyRequest{ChallengeID: "c", Code: "123456"}},
	{"PUT", "/session/password", true, api.SetPasswordRequest{Old: "a", New: "b", Confirm: "b"}},
	{"PUT", "/session/secret-question", true, api.SecretQuestionRequest{Question: api.SecretQuestions[0], Answer: "abc"}},
	{"POST", "/session/channels/test", true, api.ChannelTestRequest{Kind: "sms", Value: "0612345678"}},
	{"POST", "/session/channels/validate", true, api.ChannelValidateRequest{Kind: "sms", Code: "123456"}},
	{"POST", "/recovery/start", false, api.RecoveryStartRequest{Kind: "password", Name: "x", CaptchaToken: "a.b", CaptchaAnswer: "1"}},
	{"POST", "/recovery/answer", false, api.RecoveryAnswerRequest{RecoveryID: "r", Answer: "a"}},
	{"POST", "/recovery/otp", false, api.RecoveryOTPRequest{RecoveryID: "r", Kind: "email"}},
	{"POST", "/recovery/link", false, api.LinkRequest{Token: "t"}},
	{"POST", "/recovery/link/resend", false, api.LinkRequest{Token: "t"}},
	{"POST", "/recovery/reset", false, api.ResetPasswordRequest{Token: "t", New: "a", Confirm: "a"}},
	{"POST", "/signin/psc/ciba", false, api.PSCStartRequest{NationalID: "810012345678", Workstation: "w"}},
	{"POST", "/signin/psc/ciba/wait", false, api.PSCRequest{RequestID: "r"}},
	{"POST", "/signin/psc/ciba/cancel", false, api.PSCRequest{RequestID: "r"}},
	{"POST", "/signin/psc/browser/redeem", false, api.PSCRedeemRequest{Code: "c", Verifier: "v"}},
}

// stableCodes reads the error codes api/errors.go declares.
func stableCodes(t testing.TB) map[string]bool {
	src, err := os.ReadFile("../api/errors.go")
	mustOK(t, err)
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`Code\w+\s*=\s*"(\w+)"`).FindAllSubmatch(src, -1) {
		out[string(m[1])] = true
	}
	return out
}

// FuzzRequests: every JSON request type of the API, decoded and validated by the real
// handlers of a portal with password + OTP on (Pro Santé Connect without a client: its
// requests are decoded and validated, then answered psc_unavailable): whatever the body, no panic, no 5xx, and an
// error is one of the stable codes of api/errors.go. `make test` runs the seed corpus (the
// valid shapes, their truncations and a few hostile bodies); `go test -fuzz FuzzRequests`
// explores further.
func FuzzRequests(f *testing.F) {
	rig := startAuth(f, store.SQLite)
	const mail = "fuzz@samu.test"
	rig.account(f, "jeanne.fuzz", mail, goodPW, map[string]string{api.ChannelEmail: mail})
	token := rig.signIn(f, "jeanne.fuzz", goodPW, "poste-1", mail).Token
	codes := stableCodes(f)
	for i, r := range fuzzRoutes {
		b, _ := json.Marshal(r.seed)
		for _, body := range [][]byte{b, b[:len(b)/2], []byte(`{}`), []byte(`null`), []byte(`[]`),
			[]byte(`{"x":1}`), bytes.Repeat([]byte(`[`), 5000), []byte("{\"a\":\"\xff\xfe\"}")} {
			f.Add(uint8(i), body)
		}
	}
	h := rig.pt.Server.Handler()
	f.Fuzz(func(t *testing.T, n uint8, body []byte) {
		r := fuzzRoutes[int(n)%len(fuzzRoutes)]
		req := httptest.NewRequest(r.method, api.Version+r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if r.authed {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && !(rec.Code == http.StatusServiceUnavailable && bytes.Contains(rec.Body.Bytes(), []byte(api.CodePSCUnavailable))) {
			t.Fatalf("%s %s %q: %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e api.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || !codes[e.Error.Code] {
				t.Fatalf("%s %s %q: %d %s — not a stable error code", r.method, r.path, body, rec.Code, rec.Body)
			}
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusCreated && rec.Code < 400 {
			t.Fatalf("%s %s: status %d", r.method, r.path, rec.Code)
		}
	})
}
