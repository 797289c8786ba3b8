package notify

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for the Notifier.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// syncBuf is a goroutine-safe log sink.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type rig struct {
	n   *Notifier
	q   *MemQueue
	clk *clock
	log *syncBuf
}

func newRig(senders map[string]Sender, maxAttempts int) rig {
	clk := &clock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	q := NewMemQueue()
	lb := &syncBuf{}
	log := slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n := New(q, senders, Config{MaxAttempts: maxAttempts, Backoff: 2 * time.Second, Now: clk.Now}, log)
	return rig{n: n, q: q, clk: clk, log: lb}
}

// drain runs ProcessDue, advancing the clock past each backoff, until the job has ended.
func (r rig) drain(t *testing.T, id string) Report {
	t.Helper()
	ctx := context.Background()
	for range 20 {
		if _, err := r.n.ProcessDue(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := r.n.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != StatusPending {
			return rep
		}
		j, _ := r.q.Get(ctx, id)
		r.clk.now = j.NextAt
	}
	t.Fatalf("job %s still pending", id)
	return Report{}
}
