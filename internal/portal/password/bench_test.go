package password

import (
	"context"
	"testing"
	"time"
)

// BenchmarkArgon2idHash measures one hash at DefaultParams (what a password change costs).
func BenchmarkArgon2idHash(b *testing.B) {
	h, err := NewHasher(DefaultParams, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pw := []byte("Rq7#vanille-Bus")
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.Hash(ctx, pw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/hash")
	// CPU time per hash is what sizing needs, and unlike wall time it holds on a busy machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/hash")
}

// BenchmarkArgon2idSignIn runs the password step of sign-ins on every core at once, through
// the Hasher's limiter, and reports the sign-ins per second the machine sustains. The OTP
// step (one HMAC-SHA-256) costs microseconds and is left out.
func BenchmarkArgon2idSignIn(b *testing.B) {
	h, err := NewHasher(DefaultParams, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pw := []byte("Rq7#vanille-Bus")
	stored, err := h.Hash(ctx, pw)
	if err != nil {
		b.Fatal(err)
	}
	start, cpu0 := time.Now(), cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := h.Verify(ctx, pw, stored); !ok || err != nil {
				b.Error("verify failed")
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/signin")
}
