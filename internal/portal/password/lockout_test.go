package password

import (
	"testing"
	"time"
)

func TestLockoutThirdFailureLocksTwentyMinutes(t *testing.T) {
	l := DefaultConfig().Lockout
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var s State
	var r Result
	s, r = l.Decide(s, now, false)
	if r.Outcome != Failed || r.TriesLeft != 2 {
		t.Fatalf("1st failure: %+v", r)
	}
	s, r = l.Decide(s, now.Add(time.Minute), false)
	if r.Outcome != Failed || r.TriesLeft != 1 {
		t.Fatalf("2nd failure: %+v", r)
	}
	s, r = l.Decide(s, now.Add(2*time.Minute), false)
	lockedAt := now.Add(2 * time.Minute)
	if r.Outcome != Locked || !r.RetryAt.Equal(lockedAt.Add(20*time.Minute)) {
		t.Fatalf("3rd failure: %+v", r)
	}
	// While locked even the right password is refused, and the lock is not extended.
	s2, r := l.Decide(s, lockedAt.Add(19*time.Minute), true)
	if r.Outcome != Locked || !s2.LockedUntil.Equal(s.LockedUntil) {
		t.Fatalf("right password while locked: %+v", r)
	}
	if c := l.Check(s, lockedAt.Add(19*time.Minute+59*time.Second)); c.Outcome != Locked {
		t.Fatalf("Check just before release: %+v", c)
	}
	// Released after 20 minutes, with a fresh count.
	if c := l.Check(s, lockedAt.Add(20*time.Minute)); c.Outcome != Accepted {
		t.Fatalf("Check at release: %+v", c)
	}
	s3, r := l.Decide(s, lockedAt.Add(20*time.Minute), false)
	if r.Outcome != Failed || r.TriesLeft != 2 || s3.Failures != 1 {
		t.Fatalf("first failure after release: %+v %+v", r, s3)
	}
	s4, r := l.Decide(s3, lockedAt.Add(21*time.Minute), true)
	if r.Outcome != Accepted || s4 != (State{}) {
		t.Fatalf("success after release: %+v %+v", r, s4)
	}
}

func TestLockoutSuccessResetsCount(t *testing.T) {
	l := Lockout{MaxFailures: 3, LockFor: 20 * time.Minute}
	now := time.Now()
	s, _ := l.Decide(State{}, now, false)
	s, _ = l.Decide(s, now, false)
	s, _ = l.Decide(s, now, true)
	s, r := l.Decide(s, now, false)
	if r.Outcome != Failed || s.Failures != 1 {
		t.Fatalf("after success the count restarts: %+v %+v", r, s)
	}
}

func TestExpiryNinetyDays(t *testing.T) {
	c := DefaultConfig()
	changed := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if Expired(changed, changed.Add(90*24*time.Hour-time.Second), c.MaxAge) {
		t.Fatal("expired before 90 days")
	}
	if !Expired(changed, changed.Add(90*24*time.Hour), c.MaxAge) {
		t.Fatal("not expired at 90 days")
	}
	if !Expired(time.Time{}, changed, c.MaxAge) {
		t.Fatal("a password never set is not expired")
	}
	if Expired(changed, changed.Add(1000*24*time.Hour), 0) {
		t.Fatal("MaxAge 0 must disable expiry")
	}
	if c.MaxAgeDays() != 90 || c.API().MaxAgeDays != 90 || c.API().Name != "sante" || c.API().MinLength != 12 {
		t.Fatal("MaxAgeDays")
	}
}

func TestResultError(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if ResultError(Result{Outcome: Accepted}, now, false) != nil {
		t.Fatal("accepted gives an error")
	}
	e := ResultError(Result{Outcome: Failed, TriesLeft: 2}, now, false)
	if e.Code != "credentials_invalid" || e.Message != MsgCredentialsFR || e.Details["tries_left"] != "2" {
		t.Fatalf("failed: %+v", e)
	}
	if e := ResultError(Result{Outcome: Failed, TriesLeft: 2}, now, true); e.Details != nil {
		t.Fatalf("hidden tries: %+v", e)
	}
	e = ResultError(Result{Outcome: Locked, RetryAt: now.Add(20 * time.Minute)}, now, true)
	if e.Code != "account_locked" || e.Message != MsgLockedFR || e.Details["retry_after"] != "1200" {
		t.Fatalf("locked: %+v", e)
	}
	if PolicyError(nil) != nil {
		t.Fatal("no violation gives an error")
	}
	pe := PolicyError(Sante().Check([]byte("abc"), CheckContext{}))
	if pe.Code != "password_policy" || pe.Details[CodeMinLength] != "Au moins 12 caractères" || pe.Details[CodeUpper] == "" {
		t.Fatalf("policy: %+v", pe)
	}
}

func TestLockoutGrowsThenPermanent(t *testing.T) {
	l := Lockout{MaxFailures: 2, LockFor: 10 * time.Minute, MaxLockFor: 30 * time.Minute, PermanentAfter: 5}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var s State
	var r Result
	for i, want := range []time.Duration{10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 30 * time.Minute} {
		s, _ = l.Decide(s, now, false)
		s, r = l.Decide(s, now, false)
		if r.Outcome != Locked || !r.RetryAt.Equal(now.Add(want)) || s.Locks != i+1 {
			t.Fatalf("lock %d: %+v %+v, want %v", i+1, r, s, want)
		}
		now = r.RetryAt
	}
	s, _ = l.Decide(s, now, false)
	if s, r = l.Decide(s, now, false); !r.RetryAt.Equal(Permanent) {
		t.Fatalf("5th lock: %+v", r)
	}
	if e := ResultError(r, now, true); e.Details != nil {
		t.Fatalf("permanent lock tells a retry: %+v", e)
	}
	if _, r = l.Decide(s, now.Add(1000*time.Hour), true); r.Outcome != Locked {
		t.Fatalf("permanent lock released: %+v", r)
	}
}
