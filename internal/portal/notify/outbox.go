package notify

import (
	"context"
	"sync"
	"time"
)

// OutboxMessage is a message the Outbox kept.
type OutboxMessage struct {
	At       time.Time
	Envelope Envelope
}

// Outbox is a development Sender: it keeps every message in memory instead of sending it, so
// that `cpx-portal admin outbox` can show codes and links on a machine with no relay. It
// holds codes and passwords in clear: never configure it in production.
type Outbox struct {
	mu    sync.Mutex
	msgs  []OutboxMessage
	limit int
	now   func() time.Time
}

// NewOutbox keeps the last limit messages (≤ 0 means 1000).
func NewOutbox(limit int) *Outbox {
	if limit <= 0 {
		limit = 1000
	}
	return &Outbox{limit: limit, now: time.Now}
}

// Send implements Sender.
func (o *Outbox) Send(_ context.Context, e Envelope) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, OutboxMessage{At: o.now(), Envelope: e})
	if len(o.msgs) > o.limit {
		o.msgs = append([]OutboxMessage(nil), o.msgs[len(o.msgs)-o.limit:]...)
	}
	return nil
}

// List returns the kept messages, oldest first; to != "" keeps those sent to that address.
func (o *Outbox) List(to string) []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []OutboxMessage
	for _, m := range o.msgs {
		if to == "" || m.Envelope.To == to {
			out = append(out, m)
		}
	}
	return out
}
