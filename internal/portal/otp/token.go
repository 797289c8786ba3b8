package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// ErrShortKey means a server key has fewer than 32 bytes.
var ErrShortKey = errors.New("otp: key must have at least 32 bytes")

// NewToken returns an opaque URL-safe token of 32 random bytes.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("otp: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the SHA-256 of a token: what the store keeps and looks records up by.
// Tokens carry 256 random bits, so an unsalted fast hash is enough.
func HashToken(token string) []byte {
	s := sha256.Sum256([]byte(token))
	return s[:]
}

// newCode returns n decimal digits drawn uniformly: rand.Int rejects out-of-range samples
// instead of reducing them modulo 10^n, so no code is likelier than another.
func newCode(n int) (string, error) {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", fmt.Errorf("otp: random code: %w", err)
	}
	return fmt.Sprintf("%0*d", n, v), nil
}

// mac returns HMAC-SHA-256(key, label 0 part 0 part …).
func mac(key []byte, label string, parts ...[]byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(label))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write(p)
	}
	return h.Sum(nil)
}

func checkKey(key []byte) error {
	if len(key) < 32 {
		return ErrShortKey
	}
	return nil
}
