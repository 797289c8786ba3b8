package vcard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters for the card's PIN and PUK hashes. Light on purpose: the card hashes on
// every VERIFY and a PIN has only 10^4 values anyway; the point is that no plain PIN sits in
// the state directory.
const (
	argonTime    = 1
	argonMemory  = 8 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

var errBadHash = errors.New("malformed secret hash")

// hashSecret returns an encoded argon2id hash of secret:
// "argon2id$v=19$m=…,t=…,p=…$salt$hash" (unpadded base64).
func hashSecret(secret []byte) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash secret: %w", err)
	}
	key := argon2.IDKey(secret, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory,
		argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkSecret reports whether secret matches the encoded hash, comparing in constant time.
func checkSecret(encoded string, secret []byte) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, tm uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[1], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &mem, &tm, &threads); err != nil ||
		mem == 0 || tm == 0 || threads == 0 || mem > 1<<20 || tm > 16 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[3])
	if err != nil {
		return false, errBadHash
	}
	want, err := enc.DecodeString(parts[4])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey(secret, salt, tm, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// unpad strips the PIV PIN padding (trailing 0xFF bytes).
func unpad(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0xFF {
		b = b[:len(b)-1]
	}
	return b
}

// validPIN reports whether p (unpadded) is minLen..8 ASCII digits.
func validPIN(p []byte, minLen int) bool {
	if len(p) < minLen || len(p) > 8 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
