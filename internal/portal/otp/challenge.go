package otp

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// Config sets the one-time code rules.
type Config struct {
	Digits      int           // code length
	TTL         time.Duration // validity of a code
	MaxTries    int           // wrong tries allowed per code
	ResendAfter time.Duration // minimum delay between two codes of a challenge
	MaxSends    int           // codes sent per challenge, the first included
}

// DefaultConfig: 6 digits, valid 5 minutes (seed 003), 5 tries per code, a new code after
// 30 s, 5 codes per challenge.
func DefaultConfig() Config {
	return Config{Digits: 6, TTL: 5 * time.Minute, MaxTries: 5, ResendAfter: 30 * time.Second, MaxSends: 5}
}

// Challenge is one second-factor attempt as the store keeps it. It never holds the code,
// only its MAC.
type Challenge struct {
	ID         string
	Channel    Channel
	CodeMAC    []byte
	IssuedAt   time.Time
	ExpiresAt  time.Time // of the current code
	LastSentAt time.Time
	Tries      int // wrong tries on the current code
	Sends      int // codes sent, the first included
	Used       bool
}

// Manager issues and checks codes with a server key.
type Manager struct {
	key []byte
	cfg Config
}

// NewManager returns a Manager; key must have at least 32 bytes (keep it in the OS keyring).
func NewManager(key []byte, cfg Config) (*Manager, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if cfg.Digits < 6 || cfg.Digits > 10 || cfg.TTL <= 0 || cfg.MaxTries < 1 || cfg.MaxSends < 1 {
		return nil, fmt.Errorf("otp: invalid config %+v", cfg)
	}
	return &Manager{key: append([]byte(nil), key...), cfg: cfg}, nil
}

// Config returns the manager's rules.
func (m *Manager) Config() Config { return m.cfg }

// Issue starts a challenge on ch and returns it with the code to send. The caller hands the
// code to the sender and keeps it nowhere.
func (m *Manager) Issue(ch Channel, now time.Time) (Challenge, string, error) {
	id, err := NewToken()
	if err != nil {
		return Challenge{}, "", err
	}
	c := Challenge{ID: id, Channel: ch, IssuedAt: now}
	code, err := m.setCode(&c, now)
	if err != nil {
		return Challenge{}, "", err
	}
	return c, code, nil
}

// Verify checks a typed code and updates c (tries, used): store c whatever the answer.
// Errors: ErrUsed, ErrExpired, ErrTriesExceeded, or an *Error wrapping ErrInvalid with the
// tries left; the try that uses up the last one answers ErrTriesExceeded.
func (m *Manager) Verify(c *Challenge, code string, now time.Time) error {
	switch {
	case c.Used:
		return ErrUsed
	case !now.Before(c.ExpiresAt):
		return ErrExpired
	case c.Tries >= m.cfg.MaxTries:
		return ErrTriesExceeded
	}
	want := mac(m.key, "otp-code", []byte(c.ID), []byte(code))
	if len(code) == m.cfg.Digits && subtle.ConstantTimeCompare(want, c.CodeMAC) == 1 {
		c.Used = true
		return nil
	}
	c.Tries++
	if c.Tries >= m.cfg.MaxTries {
		return ErrTriesExceeded
	}
	return &Error{Err: ErrInvalid, TriesLeft: m.cfg.MaxTries - c.Tries}
}

// CanResend tells whether a new code may be sent for c at now: nil, ErrUsed, ErrResendCap,
// or an *Error wrapping ErrResendTooSoon with RetryAt.
func (m *Manager) CanResend(c Challenge, now time.Time) error {
	switch {
	case c.Used:
		return ErrUsed
	case c.Sends >= m.cfg.MaxSends:
		return ErrResendCap
	}
	if at := c.LastSentAt.Add(m.cfg.ResendAfter); now.Before(at) {
		return &Error{Err: ErrResendTooSoon, RetryAt: at}
	}
	return nil
}

// Resend replaces c's code by a new one (the old one stops working, the tries restart) and
// returns it to send.
func (m *Manager) Resend(c *Challenge, now time.Time) (string, error) {
	if err := m.CanResend(*c, now); err != nil {
		return "", err
	}
	return m.setCode(c, now)
}

func (m *Manager) setCode(c *Challenge, now time.Time) (string, error) {
	code, err := newCode(m.cfg.Digits)
	if err != nil {
		return "", err
	}
	c.CodeMAC = mac(m.key, "otp-code", []byte(c.ID), []byte(code))
	c.ExpiresAt = now.Add(m.cfg.TTL)
	c.LastSentAt = now
	c.Tries = 0
	c.Sends++
	return code, nil
}
