package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int // bytes
	KeyLen  uint32
}

// DefaultParams follow the OWASP Password Storage Cheat Sheet
// (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html, section
// "Argon2id", read 2026-11): "Use Argon2id with a minimum configuration of 19 MiB of memory,
// an iteration count of 2, and 1 degree of parallelism" — m=19456 KiB, t=2, p=1.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MaxBytes bounds the password length accepted by Hash and Verify.
const MaxBytes = 1024

var (
	// ErrMalformed means a stored hash is not a PHC argon2id string this package can read.
	ErrMalformed = errors.New("password: malformed hash")
	// ErrTooLong means a password exceeds MaxBytes.
	ErrTooLong = errors.New("password: too long")
)

// Hasher hashes and verifies passwords with argon2id, at most GOMAXPROCS at a time.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string
}

// NewHasher returns a Hasher for p; concurrency ≤ 0 means GOMAXPROCS.
func NewHasher(p Params, concurrency int) (*Hasher, error) {
	if p.Memory < 8*uint32(p.Threads) || p.Time < 1 || p.Threads < 1 || p.SaltLen < 8 || p.KeyLen < 16 {
		return nil, fmt.Errorf("password: invalid argon2id parameters m=%d t=%d p=%d", p.Memory, p.Time, p.Threads)
	}
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, concurrency)}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("password: salt: %w", err)
	}
	h.dummy = encode(p, salt, h.derive([]byte("cpx-portal dummy password"), salt, p))
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of pw with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, pw []byte) (string, error) {
	if len(pw) > MaxBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return encode(h.params, salt, h.derive(pw, salt, h.params)), nil
}

// Verify reports whether pw matches the stored PHC string, comparing in constant time.
func (h *Hasher) Verify(ctx context.Context, pw []byte, stored string) (bool, error) {
	p, salt, want, err := decode(stored)
	if err != nil {
		return false, err
	}
	tooLong := len(pw) > MaxBytes
	if tooLong {
		pw = pw[:MaxBytes] // still spend the work so the timing says nothing, then fail
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && !tooLong, nil
}

// VerifyDummy spends what Verify spends on a real hash and returns false: call it when the
// account does not exist so that the answer takes as long as for a wrong password.
func (h *Hasher) VerifyDummy(ctx context.Context, pw []byte) error {
	_, err := h.Verify(ctx, pw, h.dummy)
	return err
}

// NeedsRehash reports whether stored was made with parameters other than h's (or cannot be
// read): re-hash the password after the next successful Verify.
func (h *Hasher) NeedsRehash(stored string) bool {
	p, salt, key, err := decode(stored)
	if err != nil {
		return true
	}
	return p.Memory != h.params.Memory || p.Time != h.params.Time || p.Threads != h.params.Threads ||
		len(salt) != h.params.SaltLen || uint32(len(key)) != h.params.KeyLen
}

func (h *Hasher) derive(pw, salt []byte, p Params) []byte {
	return argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.sem }
