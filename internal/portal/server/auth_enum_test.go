package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

// post sends a JSON body and returns the status and the raw answer.
func (rig *authRig) post(t *testing.T, hc *http.Client, path string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := hc.Post(rig.pt.URL+api.Version+path, "application/json", bytes.NewReader(b))
	mustOK(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// meanGap alternates a and b n times and returns the difference of their means, each mean
// trimmed of its fastest and slowest quarter (the machine is shared: a few samples land on a
// busy moment).
func meanGap(n int, a, b func()) time.Duration {
	var ta, tb []time.Duration
	for range n {
		t0 := time.Now()
		a()
		t1 := time.Now()
		b()
		ta, tb = append(ta, t1.Sub(t0)), append(tb, time.Since(t1))
	}
	return trimmedMean(ta) - trimmedMean(tb)
}

// gapsOver measures meanGap up to three times and returns the gaps only when all of them
// exceed bound. A leak (no dummy verification for unknown names) gives a gap of a whole
// verification on every attempt; a load spike on a shared machine spoils one, not three.
func gapsOver(bound time.Duration, n int, a, b func()) []time.Duration {
	var gaps []time.Duration
	for range 3 {
		gap := meanGap(n, a, b)
		if abs(gap) <= bound {
			return nil
		}
		gaps = append(gaps, gap)
	}
	return gaps
}

func trimmedMean(d []time.Duration) time.Duration {
	slices.Sort(d)
	d = d[len(d)/4 : len(d)-len(d)/4]
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return sum / time.Duration(len(d))
}

func abs(d time.Duration) time.Duration { return max(d, -d) }

// TestNoEnumeration: an unknown name answers like a wrong password (same status, same body,
// same time within half an argon2id verification), and recovery answers alike for unknown
// names, accounts without a secret question and wrong answers.
func TestNoEnumeration(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		rig := startAuth(t, dialect, func(a *server.AuthOptions) { a.Password.Lockout.MaxFailures = 10000 })
		ctx := context.Background()
		rig.withQuestion(t, "jeanne.testeuse", "jeanne@samu.test")
		rig.account(t, "sans.question", "sq@samu.test", goodPW, map[string]string{api.ChannelEmail: "sq@samu.test"})
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rig.pt.Roots}}}
		defer hc.CloseIdleConnections()
		signin := func(name string) func() (int, []byte) {
			return func() (int, []byte) {
				return rig.post(t, hc, "/signin/password", api.PasswordSignInRequest{Identifiant: name,
					Password: "Mauvais#mot2passe", Workstation: "poste-1"})
			}
		}
		known, unknown := signin("jeanne.testeuse"), signin("personne.inconnue")
		s1, b1 := known()
		s2, b2 := unknown()
		if s1 != s2 || !bytes.Equal(b1, b2) {
			t.Fatalf("wrong password %d %s, unknown name %d %s", s1, b1, s2, b2)
		}

		// The bound: half of one argon2id verification at the configured parameters.
		h, err := rig.auth.Hasher.Hash(ctx, []byte(goodPW))
		mustOK(t, err)
		t0 := time.Now()
		for range 5 {
			rig.auth.Hasher.Verify(ctx, []byte(goodPW), h)
		}
		bound := time.Since(t0) / 10
		if gaps := gapsOver(bound, 24, func() { known() }, func() { unknown() }); gaps != nil {
			t.Fatalf("sign-in: known-unknown mean gaps %v all > bound %v", gaps, bound)
		}

		// Recovery: same shape at the start, same answer at the end.
		start := func(name string) api.RecoveryStep {
			c, err := rig.c.Captcha(ctx)
			mustOK(t, err)
			st, b := rig.post(t, hc, "/recovery/start", api.RecoveryStartRequest{Kind: api.RecoverPassword,
				Name: name, CaptchaToken: c.Token, CaptchaAnswer: solve(t, c.Question)})
			var step api.RecoveryStep
			if st != http.StatusOK || json.Unmarshal(b, &step) != nil || step.RecoveryID == "" ||
				!slices.Contains(api.SecretQuestions, step.Question) {
				t.Fatalf("start %s: %d %s", name, st, b)
			}
			return step
		}
		if start("personne.inconnue").Question != start("personne.inconnue").Question {
			t.Fatal("decoy question changes between tries: it tells the name is unknown")
		}
		var bodies [][]byte
		for _, name := range []string{"jeanne.testeuse", "sans.question", "personne.inconnue"} {
			st, b := rig.post(t, hc, "/recovery/answer", api.RecoveryAnswerRequest{RecoveryID: start(name).RecoveryID, Answer: "faux"})
			if st != http.StatusOK {
				t.Fatalf("answer %s: %d", name, st)
			}
			bodies = append(bodies, b)
		}
		if !bytes.Equal(bodies[0], bodies[1]) || !bytes.Equal(bodies[0], bodies[2]) {
			t.Fatalf("recovery answers differ: %s", bytes.Join(bodies, []byte(" | ")))
		}
		answerOf := func(name, ans string) func() {
			return func() {
				id := start(name).RecoveryID
				rig.post(t, hc, "/recovery/answer", api.RecoveryAnswerRequest{RecoveryID: id, Answer: ans})
			}
		}
		if gaps := gapsOver(bound, 16, answerOf("jeanne.testeuse", "faux"), answerOf("personne.inconnue", "faux")); gaps != nil {
			t.Fatalf("recovery: known-unknown mean gaps %v all > bound %v", gaps, bound)
		}
		if gap := gapsOver(bound, 16, answerOf("jeanne.testeuse", answer), answerOf("personne.inconnue", answer)); gap != nil {
			t.Fatalf("recovery: right-unknown mean gap %v > bound %v", gap, bound)
		}
		// A code instead of the question: a code goes out for the account, nothing for the
		// unknown name, with the same answer in the same time.
		otpOf := func(name string) func() {
			return func() {
				st, b := rig.post(t, hc, "/recovery/otp", api.RecoveryOTPRequest{RecoveryID: start(name).RecoveryID, Kind: api.ChannelEmail})
				if st != http.StatusOK || !bytes.Contains(b, []byte("Si ce canal est activé")) {
					t.Fatalf("recovery otp %s: %d %s", name, st, b)
				}
			}
		}
		if gaps := gapsOver(bound, 12, otpOf("jeanne.testeuse"), otpOf("personne.inconnue")); gaps != nil {
			t.Fatalf("recovery otp: known-unknown mean gaps %v all > bound %v", gaps, bound)
		}
	})
}
