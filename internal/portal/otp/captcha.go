package otp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// CaptchaTTL is the default time to answer a captcha.
const CaptchaTTL = 5 * time.Minute

// ReplayCache remembers used captcha nonces until they expire.
type ReplayCache interface {
	// Use records nonce until `until` and reports whether it was fresh (never used before).
	Use(ctx context.Context, nonce string, until time.Time) (fresh bool, err error)
}

// Captcha makes and checks arithmetic questions ("Veuillez résoudre l'opération suivante :
// 9 + 0 ="): an addition or a subtraction of single digits with a non-negative result.
type Captcha struct {
	key   []byte
	ttl   time.Duration
	cache ReplayCache
}

// CaptchaChallenge is what the form shows; Token goes back with the answer.
type CaptchaChallenge struct {
	QuestionFR string
	QuestionEN string
	Token      string
	ExpiresAt  time.Time
}

// NewCaptcha returns a Captcha; key ≥ 32 bytes, ttl ≤ 0 means CaptchaTTL.
func NewCaptcha(key []byte, ttl time.Duration, cache ReplayCache) (*Captcha, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if cache == nil {
		return nil, fmt.Errorf("otp: captcha needs a replay cache")
	}
	if ttl <= 0 {
		ttl = CaptchaTTL
	}
	return &Captcha{key: append([]byte(nil), key...), ttl: ttl, cache: cache}, nil
}

// New returns a fresh question. The token holds a nonce and the expiry, signed together with
// the answer, so the answer is not in it.
func (c *Captcha) New(now time.Time) (CaptchaChallenge, error) {
	a, err := digit()
	if err != nil {
		return CaptchaChallenge{}, err
	}
	b, err := digit()
	if err != nil {
		return CaptchaChallenge{}, err
	}
	op, answer := "+", a+b
	if b <= a && (a+b)%2 == 1 { // about a third of the questions are subtractions
		op, answer = "-", a-b
	}
	payload := make([]byte, 24)
	if _, err := rand.Read(payload[:16]); err != nil {
		return CaptchaChallenge{}, fmt.Errorf("otp: captcha nonce: %w", err)
	}
	exp := now.Add(c.ttl)
	binary.BigEndian.PutUint64(payload[16:], uint64(exp.Unix()))
	sig := mac(c.key, "captcha", payload, []byte(strconv.Itoa(answer)))
	q := fmt.Sprintf("%d %s %d =", a, op, b)
	return CaptchaChallenge{
		QuestionFR: "Veuillez résoudre l'opération suivante : " + q,
		QuestionEN: "Please solve the following: " + q,
		Token:      base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(sig),
		ExpiresAt:  exp,
	}, nil
}

// Check verifies an answer: ErrCaptchaInvalid (wrong answer or forged token),
// ErrCaptchaExpired, or ErrCaptchaReplay for a token already used. A token is spent by any
// well-signed attempt, right or wrong, so each question allows one guess.
func (c *Captcha) Check(ctx context.Context, token, answer string, now time.Time) error {
	payload, sig, ok := parseToken(token)
	if !ok {
		return ErrCaptchaInvalid
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(payload[16:])), 0)
	if !now.Before(exp) {
		return ErrCaptchaExpired
	}
	n, err := strconv.Atoi(strings.TrimSpace(answer))
	right := err == nil && n >= 0 && n <= 18 &&
		subtle.ConstantTimeCompare(mac(c.key, "captcha", payload, []byte(strconv.Itoa(n))), sig) == 1
	if !right && !c.signedForSomeAnswer(payload, sig) {
		return ErrCaptchaInvalid // forged: not worth a cache entry
	}
	fresh, err := c.cache.Use(ctx, hex.EncodeToString(payload[:16]), exp)
	if err != nil {
		return fmt.Errorf("otp: captcha replay cache: %w", err)
	}
	if !fresh {
		return ErrCaptchaReplay
	}
	if !right {
		return ErrCaptchaInvalid
	}
	return nil
}

// parseToken decodes a token and accepts it only in its one canonical spelling: the decoder
// skips line breaks, so "the same" token could otherwise be sent again with one inserted.
// The replay cache keys on the decoded nonce anyway.
func parseToken(token string) (payload, sig []byte, ok bool) {
	p64, s64, ok := strings.Cut(token, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(s64)
	if !ok || err1 != nil || err2 != nil || len(payload) != 24 || len(sig) != sha256.Size ||
		base64.RawURLEncoding.EncodeToString(payload)+"."+base64.RawURLEncoding.EncodeToString(sig) != token {
		return nil, nil, false
	}
	return payload, sig, true
}

// signedForSomeAnswer tells a genuine token with a wrong answer from a forged one.
func (c *Captcha) signedForSomeAnswer(payload, sig []byte) bool {
	found := 0
	for n := 0; n <= 18; n++ {
		found |= subtle.ConstantTimeCompare(mac(c.key, "captcha", payload, []byte(strconv.Itoa(n))), sig)
	}
	return found == 1
}

func digit() (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(10))
	if err != nil {
		return 0, fmt.Errorf("otp: captcha digit: %w", err)
	}
	return int(v.Int64()), nil
}
