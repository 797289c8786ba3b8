package otp

import (
	"context"
	"errors"
	"sync"
	"time"
)

// MemReplayCache is an in-memory ReplayCache for a single portal process. A portal with
// several instances keeps nonces in its database instead (INSERT … ON CONFLICT DO NOTHING on
// a primary key, fresh when one row was inserted; purge rows past their expiry).
type MemReplayCache struct {
	Now   func() time.Time // clock used to drop expired nonces; time.Now when nil
	mu    sync.Mutex
	seen  map[string]time.Time
	limit int
}

// NewMemReplayCache returns a cache holding at most limit live nonces (≤ 0 means 100 000);
// when full, Use refuses new nonces with an error rather than forget live ones.
func NewMemReplayCache(limit int) *MemReplayCache {
	if limit <= 0 {
		limit = 100_000
	}
	return &MemReplayCache{seen: map[string]time.Time{}, limit: limit}
}

// Use implements ReplayCache. Expired entries are dropped as the cache fills.
func (m *MemReplayCache) Use(_ context.Context, nonce string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.seen[nonce]; ok {
		return false, nil
	}
	if len(m.seen) >= m.limit {
		now := time.Now()
		if m.Now != nil {
			now = m.Now()
		}
		for k, exp := range m.seen {
			if !now.Before(exp) {
				delete(m.seen, k)
			}
		}
		if len(m.seen) >= m.limit {
			return false, errReplayFull
		}
	}
	m.seen[nonce] = until
	return true, nil
}

var errReplayFull = errors.New("otp: replay cache full")
