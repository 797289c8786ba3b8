package otp

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func TestDeviceToken(t *testing.T) {
	tok, d, err := NewDevice("u1", "ws-12", t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(d.Hash), tok) || len(tok) < 40 {
		t.Fatal("token stored in clear or too short")
	}
	if !d.Valid(tok, "u1", "ws-12", t0.Add(24*time.Hour-time.Second)) {
		t.Fatal("valid token refused")
	}
	for name, ok := range map[string]bool{
		"expired at 24 h":   d.Valid(tok, "u1", "ws-12", t0.Add(24*time.Hour)),
		"other user":        d.Valid(tok, "u2", "ws-12", t0),
		"other workstation": d.Valid(tok, "u1", "ws-13", t0),
		"other token":       d.Valid(tok+"x", "u1", "ws-12", t0),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	if !CancelledBy(d, "u2", "ws-12") {
		t.Error("another user on the same workstation does not cancel")
	}
	if CancelledBy(d, "u1", "ws-12") || CancelledBy(d, "u2", "ws-13") {
		t.Error("same user, or another workstation, cancels")
	}
}

func TestLinkSingleUseAndExpiry(t *testing.T) {
	tok, l, err := NewLink("u1", PurposeResetPassword, t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(l.Hash) != string(HashToken(tok)) || !l.ExpiresAt.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("link %+v", l)
	}
	l2 := l
	if err := l.Redeem(t0.Add(14 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := l.Redeem(t0.Add(14 * time.Minute)); !errors.Is(err, ErrLinkUsed) {
		t.Fatalf("second use: %v", err)
	}
	if err := l2.Redeem(t0.Add(15 * time.Minute)); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("at 15 min: %v", err)
	}
	if a := APIError(ErrLinkExpired, t0); a.Code != api.CodeLinkInvalid {
		t.Fatalf("api %+v", a)
	}
}

// solve reads the question back, as a user would.
func solve(t *testing.T, q string) string {
	t.Helper()
	f := strings.Fields(strings.TrimPrefix(q, "Veuillez résoudre l'opération suivante : "))
	if len(f) != 4 || f[3] != "=" {
		t.Fatalf("question %q", q)
	}
	a, _ := strconv.Atoi(f[0])
	b, _ := strconv.Atoi(f[2])
	if f[1] == "-" {
		return strconv.Itoa(a - b)
	}
	return strconv.Itoa(a + b)
}

func newCaptcha(t *testing.T) *Captcha {
	t.Helper()
	c, err := NewCaptcha(key, 0, NewMemReplayCache(0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCaptcha(t *testing.T) {
	ctx := context.Background()
	c := newCaptcha(t)
	ch, err := c.New(t0)
	if err != nil {
		t.Fatal(err)
	}
	ans := solve(t, ch.QuestionFR)
	if err := c.Check(ctx, ch.Token, " "+ans+" ", t0.Add(time.Minute)); err != nil {
		t.Fatalf("right answer: %v", err)
	}
	if err := c.Check(ctx, ch.Token, ans, t0.Add(time.Minute)); !errors.Is(err, ErrCaptchaReplay) {
		t.Fatalf("replayed: %v", err)
	}

	ch2, _ := c.New(t0)
	bad := strconv.Itoa((mustAtoi(solve(t, ch2.QuestionFR)) + 1) % 19)
	if err := c.Check(ctx, ch2.Token, bad, t0); !errors.Is(err, ErrCaptchaInvalid) {
		t.Fatalf("wrong answer: %v", err)
	}
	// A wrong answer spends the token: no second guess on the same question.
	if err := c.Check(ctx, ch2.Token, solve(t, ch2.QuestionFR), t0); !errors.Is(err, ErrCaptchaReplay) {
		t.Fatalf("second guess: %v", err)
	}

	ch3, _ := c.New(t0)
	if err := c.Check(ctx, ch3.Token, solve(t, ch3.QuestionFR), t0.Add(CaptchaTTL)); !errors.Is(err, ErrCaptchaExpired) {
		t.Fatalf("expired: %v", err)
	}
	for _, forged := range []string{"", "x", ch3.Token + "x", "AAAA." + strings.SplitN(ch3.Token, ".", 2)[1]} {
		if err := c.Check(ctx, forged, "3", t0); !errors.Is(err, ErrCaptchaInvalid) {
			t.Errorf("forged %q: %v", forged, err)
		}
	}
	other, _ := NewCaptcha([]byte(strings.Repeat("k", 32)), 0, NewMemReplayCache(0))
	ch4, _ := c.New(t0)
	if err := other.Check(ctx, ch4.Token, solve(t, ch4.QuestionFR), t0); !errors.Is(err, ErrCaptchaInvalid) {
		t.Fatalf("token of another key: %v", err)
	}
	if APIError(ErrCaptchaReplay, t0).Code != api.CodeCaptchaInvalid {
		t.Fatal("captcha code")
	}
}

func TestCaptchaQuestionsVary(t *testing.T) {
	c := newCaptcha(t)
	ops := map[string]bool{}
	for range 200 {
		ch, err := c.New(t0)
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(ch.QuestionEN)
		ops[f[len(f)-3]] = true
		if n := mustAtoi(solve(t, ch.QuestionFR)); n < 0 || n > 18 {
			t.Fatalf("answer %d out of range", n)
		}
	}
	if !ops["+"] || !ops["-"] {
		t.Fatalf("operations seen: %v", ops)
	}
}

func TestMemReplayCacheFull(t *testing.T) {
	now := t0
	m := NewMemReplayCache(2)
	m.Now = func() time.Time { return now }
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if fresh, err := m.Use(ctx, n, t0.Add(time.Minute)); !fresh || err != nil {
			t.Fatal(fresh, err)
		}
	}
	if _, err := m.Use(ctx, "c", t0.Add(time.Minute)); err == nil {
		t.Fatal("full cache accepted a new nonce")
	}
	now = t0.Add(time.Minute)
	if fresh, err := m.Use(ctx, "c", t0.Add(2*time.Minute)); !fresh || err != nil {
		t.Fatalf("after expiry: %v %v", fresh, err)
	}
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
