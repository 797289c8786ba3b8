package server

import (
	"testing"
	"time"
)

// TestLimiterBucket: burst requests pass, the next waits 1/rate, the bucket refills, other
// addresses have their own bucket, a refusal is audited once a minute, idle buckets go.
func TestLimiterBucket(t *testing.T) {
	l := newLimiter(RateLimit{PerSecond: 2, Burst: 3})
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _, _ := l.allow("10.0.0.1", t0); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	ok, wait, audit := l.allow("10.0.0.1", t0)
	if ok || wait != 500*time.Millisecond || !audit {
		t.Fatalf("4th request: ok=%v wait=%v audit=%v, want refused, 500ms, audited", ok, wait, audit)
	}
	if ok, _, audit := l.allow("10.0.0.1", t0.Add(100*time.Millisecond)); ok || audit {
		t.Fatalf("5th request 100 ms later: ok=%v audit=%v, want refused, not audited again", ok, audit)
	}
	if ok, _, _ := l.allow("10.0.0.2", t0); !ok {
		t.Fatal("another address shares the bucket")
	}
	if ok, _, _ := l.allow("10.0.0.1", t0.Add(600*time.Millisecond)); !ok {
		t.Fatal("no token after 600 ms at 2/s (refused requests must not consume tokens)")
	}
	if ok, _, audit := l.allow("10.0.0.1", t0.Add(600*time.Millisecond)); ok || audit {
		t.Fatalf("empty bucket after refill: ok=%v audit=%v, want refused, not audited", ok, audit)
	}
	t1 := t0.Add(61 * time.Second)
	for range 3 {
		l.allow("10.0.0.1", t1)
	}
	if ok, _, audit := l.allow("10.0.0.1", t1); ok || !audit {
		t.Fatalf("refusal a minute later: ok=%v audit=%v, want refused and audited", ok, audit)
	}
	l.allow("10.0.0.3", t0.Add(20*time.Minute))
	if _, kept := l.buckets["10.0.0.1"]; kept || len(l.buckets) != 1 {
		t.Fatalf("idle buckets kept: %d", len(l.buckets))
	}
}
