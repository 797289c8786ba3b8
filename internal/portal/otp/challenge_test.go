package otp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

var (
	key = bytes.Repeat([]byte{7}, 32)
	t0  = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	sms = Channel{Kind: api.ChannelSMS, Address: "+33612345678"}
)

func manager(t *testing.T) *Manager {
	t.Helper()
	m, err := NewManager(key, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wrong returns a well-formed code different from code.
func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestIssueVerifySingleUse(t *testing.T) {
	m := manager(t)
	c, code, err := m.Issue(sms, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q", code)
	}
	if bytes.Contains(c.CodeMAC, []byte(code)) || len(c.CodeMAC) != 32 {
		t.Fatal("challenge stores the code, not its MAC")
	}
	if err := m.Verify(&c, code, t0.Add(4*time.Minute)); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if err := m.Verify(&c, code, t0.Add(4*time.Minute)); !errors.Is(err, ErrUsed) {
		t.Fatalf("reuse: err = %v, want ErrUsed", err)
	}
	if APIError(ErrUsed, t0).Code != api.CodeOTPExpired {
		t.Fatal("ErrUsed code")
	}
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	m := manager(t)
	c, code, _ := m.Issue(sms, t0)
	if err := m.Verify(&c, code, t0.Add(5*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Fatalf("at 5 min: err = %v, want ErrExpired", err)
	}
	if APIError(ErrExpired, t0).Code != api.CodeOTPExpired {
		t.Fatal("ErrExpired code")
	}
	c2, code2, _ := m.Issue(sms, t0)
	if err := m.Verify(&c2, code2, t0.Add(5*time.Minute-time.Second)); err != nil {
		t.Fatalf("just before 5 min: %v", err)
	}
}

func TestTryCap(t *testing.T) {
	m := manager(t)
	c, code, _ := m.Issue(sms, t0)
	for i := 1; i <= 4; i++ {
		err := m.Verify(&c, wrong(code), t0)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.TriesLeft != 5-i {
			t.Fatalf("wrong try %d: %v", i, err)
		}
		if a := APIError(err, t0); a.Code != api.CodeOTPInvalid || a.Details["tries_left"] == "" {
			t.Fatalf("api error %+v", a)
		}
	}
	if err := m.Verify(&c, "12x", t0); !errors.Is(err, ErrTriesExceeded) {
		t.Fatalf("5th wrong try: err = %v, want ErrTriesExceeded", err)
	}
	// Even the right code is refused now.
	if err := m.Verify(&c, code, t0); !errors.Is(err, ErrTriesExceeded) {
		t.Fatalf("right code after cap: err = %v", err)
	}
	if APIError(ErrTriesExceeded, t0).Code != api.CodeOTPTriesExceeded {
		t.Fatal("tries code")
	}
}

func TestResendDelayAndCap(t *testing.T) {
	m := manager(t)
	c, old, _ := m.Issue(sms, t0)
	err := m.CanResend(c, t0.Add(29*time.Second))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrResendTooSoon) || !e.RetryAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("resend at 29 s: %v", err)
	}
	if a := APIError(err, t0.Add(29*time.Second)); a.Code != api.CodeOTPResendTooSoon || a.Details["retry_after"] != "1" {
		t.Fatalf("api error %+v", a)
	}
	now := t0
	for i := 2; i <= 5; i++ {
		now = now.Add(30 * time.Second)
		code, err := m.Resend(&c, now)
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if i == 2 {
			if code != old {
				if err := m.Verify(&c, old, now); !errors.Is(err, ErrInvalid) {
					t.Fatalf("old code after resend: %v", err)
				}
			}
			c.Tries = 0
		}
	}
	if _, err := m.Resend(&c, now.Add(time.Hour)); !errors.Is(err, ErrResendCap) {
		t.Fatalf("6th send: err = %v, want ErrResendCap", err)
	}
	if APIError(ErrResendCap, now).Code != api.CodeOTPResendCap {
		t.Fatal("cap code")
	}
}

func TestResendRestartsTriesAndExpiry(t *testing.T) {
	m := manager(t)
	c, code, _ := m.Issue(sms, t0)
	for range 4 {
		_ = m.Verify(&c, wrong(code), t0)
	}
	now := t0.Add(4*time.Minute + 59*time.Second)
	code, err := m.Resend(&c, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tries != 0 || !c.ExpiresAt.Equal(now.Add(5*time.Minute)) || c.Sends != 2 {
		t.Fatalf("after resend: %+v", c)
	}
	if err := m.Verify(&c, code, now.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Resend(&c, now.Add(time.Hour)); !errors.Is(err, ErrUsed) {
		t.Fatalf("resend after success: %v", err)
	}
}

func TestCodesAreUniform(t *testing.T) {
	// 60 000 codes: each leading digit should appear about 6 000 times; a modulo-biased or
	// constant generator fails this.
	var counts [10]int
	seen := map[string]bool{}
	for range 60000 {
		c, err := newCode(6)
		if err != nil {
			t.Fatal(err)
		}
		counts[c[0]-'0']++
		seen[c] = true
	}
	for d, n := range counts {
		if n < 5400 || n > 6600 {
			t.Errorf("leading digit %d: %d of 60000", d, n)
		}
	}
	if len(seen) < 58000 {
		t.Errorf("only %d distinct codes of 60000", len(seen))
	}
}

func TestManagerRejectsShortKey(t *testing.T) {
	if _, err := NewManager(make([]byte, 16), DefaultConfig()); !errors.Is(err, ErrShortKey) {
		t.Fatal(err)
	}
	m2, _ := NewManager(bytes.Repeat([]byte{8}, 32), DefaultConfig())
	c, code, _ := manager(t).Issue(sms, t0)
	if err := m2.Verify(&c, code, t0); !errors.Is(err, ErrInvalid) {
		t.Fatal("a code verified under another server key")
	}
	if APIError(nil, t0) != nil || APIError(errors.New("x"), t0).Code != api.CodeInternal {
		t.Fatal("APIError nil/unknown")
	}
}
