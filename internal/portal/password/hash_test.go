package password

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// fast parameters keep unit tests quick; the benchmark uses DefaultParams.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h, err := NewHasher(DefaultParams, 0)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h.Hash(ctx, []byte("Correct-Horse-42"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(enc, "$") != 5 {
		t.Fatalf("PHC string %q", enc)
	}
	if ok, err := h.Verify(ctx, []byte("Correct-Horse-42"), enc); !ok || err != nil {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	if ok, err := h.Verify(ctx, []byte("Correct-Horse-43"), enc); ok || err != nil {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	enc2, _ := h.Hash(ctx, []byte("Correct-Horse-42"))
	if enc2 == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash on a hash made with the current parameters")
	}
}

func TestNeedsRehashAndMigrate(t *testing.T) {
	ctx := context.Background()
	old, _ := NewHasher(fast, 0)
	cur, _ := NewHasher(Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	enc, _ := old.Hash(ctx, []byte("pw"))
	if !cur.NeedsRehash(enc) {
		t.Fatal("NeedsRehash = false for other parameters")
	}
	// An old hash still verifies with the current hasher (parameters come from the string).
	if ok, err := cur.Verify(ctx, []byte("pw"), enc); !ok || err != nil {
		t.Fatalf("Verify(old hash) = %v, %v", ok, err)
	}
	if !cur.NeedsRehash("not a hash") {
		t.Fatal("NeedsRehash = false for garbage")
	}
}

func TestVerifyMalformed(t *testing.T) {
	h, _ := NewHasher(fast, 0)
	for _, s := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,x=3$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := h.Verify(context.Background(), []byte("x"), s); ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformed", s, ok, err)
		}
	}
}

func TestTooLong(t *testing.T) {
	ctx := context.Background()
	h, _ := NewHasher(fast, 0)
	long := []byte(strings.Repeat("a", MaxBytes+1))
	if _, err := h.Hash(ctx, long); !errors.Is(err, ErrTooLong) {
		t.Fatalf("Hash(too long) err = %v", err)
	}
	enc, _ := h.Hash(ctx, long[:MaxBytes])
	if ok, _ := h.Verify(ctx, long, enc); ok {
		t.Fatal("a password longer than MaxBytes matched its truncation")
	}
}

func TestDummyCostsLikeVerify(t *testing.T) {
	ctx := context.Background()
	h, _ := NewHasher(DefaultParams, 1)
	// The dummy hash is made with the hasher's own parameters, so it costs the same work.
	p, _, _, err := decode(h.dummy)
	if err != nil || p.Memory != DefaultParams.Memory || p.Time != DefaultParams.Time {
		t.Fatalf("dummy params %+v, %v", p, err)
	}
	if err := h.VerifyDummy(ctx, []byte("whatever")); err != nil {
		t.Fatal(err)
	}
}

func TestLimiterBoundsConcurrency(t *testing.T) {
	h, _ := NewHasher(fast, 1)
	h.sem <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with no free slot: err = %v, want deadline exceeded", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), []byte("x")); err != nil {
		t.Fatal(err)
	}
}
