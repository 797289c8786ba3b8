// Package keystore keeps cpx-agent's secrets (device tokens of the OTP "remember this
// workstation" option, and the portal session token when the workstation policy allows it)
// in the OS keyring through github.com/zalando/go-keyring: the Secret Service (GNOME Keyring,
// KWallet) on Linux, the Keychain on macOS, the Credential Manager on Windows. It implements
// agent.KeyStore; Memory is the in-memory stand-in for unit tests.
package keystore

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// Service is the keyring service name of every cpx-agent secret.
const Service = "cpx-agent"

// ErrKey: a key is empty or has control characters.
var ErrKey = errors.New("keystore: invalid key")

// Keyring is the OS keyring under one service name.
type Keyring struct{ service string }

// New opens the OS keyring under Service.
func New() *Keyring { return &Keyring{service: Service} }

// NewService opens the OS keyring under another service name (tests).
func NewService(service string) *Keyring { return &Keyring{service: service} }

var _ agent.KeyStore = (*Keyring)(nil)

func checkKey(key string) error {
	if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%w %q", ErrKey, key)
	}
	return nil
}

// Get returns the secret under key, agent.ErrNotFound when there is none. Errors name the
// key, never the secret.
func (k *Keyring) Get(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	v, err := keyring.Get(k.service, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("keystore: %s: %w", key, agent.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("keystore: get %s: %w", key, err)
	}
	return v, nil
}

// Set stores value under key, replacing any older one.
func (k *Keyring) Set(key, value string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := keyring.Set(k.service, key, value); err != nil {
		return fmt.Errorf("keystore: set %s: %w", key, err)
	}
	return nil
}

// Delete removes key; deleting an absent key is not an error.
func (k *Keyring) Delete(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := keyring.Delete(k.service, key)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keystore: delete %s: %w", key, err)
	}
	return nil
}

// Memory is an agent.KeyStore in memory, for unit tests of code that keeps secrets.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory key store.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

var _ agent.KeyStore = (*Memory)(nil)

// Get returns the secret under key, agent.ErrNotFound when there is none.
func (s *Memory) Get(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", fmt.Errorf("keystore: %s: %w", key, agent.ErrNotFound)
	}
	return v, nil
}

// Set stores value under key.
func (s *Memory) Set(key, value string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// Delete removes key (absent: no error).
func (s *Memory) Delete(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
