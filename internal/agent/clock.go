package agent

import (
	"sync"
	"time"
)

// SystemClock is the real Clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// After waits for d on a real timer.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// MemoryPrefs is a Prefs kept in memory (the default when cmd/ gives none, and for tests).
type MemoryPrefs struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryPrefs returns empty in-memory prefs.
func NewMemoryPrefs() *MemoryPrefs { return &MemoryPrefs{m: map[string]string{}} }

// Get returns the value of key, "" when unset.
func (p *MemoryPrefs) Get(key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[key]
}

// Set stores value under key.
func (p *MemoryPrefs) Set(key, value string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[key] = value
	return nil
}

// Prefs keys the engine uses.
const (
	PrefLastPhone   = "last_phone"
	PrefLastPSCID   = "last_psc_national_id" // national id of the last Pro Santé Connect sign-in
	PrefLastProfile = "last_profile"
)

// KeyStore keys the engine uses ("<prefix><identifiant>", "<prefix><workstation>").
const (
	KeyDeviceTokenPrefix = "device-token/"
	KeySessionPrefix     = "session/"
)
