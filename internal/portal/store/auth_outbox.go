package store

import (
	"context"
	"fmt"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
)

// DevOutbox is a notify.Sender that keeps messages in the dev_outbox table instead of sending
// them, so that `cpx-portal admin outbox list` (another process) can show them. Dev mode only:
// it keeps codes and passwords in clear.
type DevOutbox struct{ s *Store }

// DevOutbox returns the store's development outbox.
func (s *Store) DevOutbox() *DevOutbox { return &DevOutbox{s: s} }

var _ notify.Sender = (*DevOutbox)(nil)

// Send implements notify.Sender.
func (o *DevOutbox) Send(ctx context.Context, e notify.Envelope) error {
	_, err := o.s.exec(ctx, `INSERT INTO dev_outbox (id, at, channel, to_addr, template, subject, body)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, NewID(), ms(o.s.now()), e.Channel, e.To, e.Template, e.Subject, e.Body)
	if err != nil {
		return fmt.Errorf("dev outbox: %w", err)
	}
	return nil
}

// List returns the last n messages (to "" for every recipient), oldest first.
func (o *DevOutbox) List(ctx context.Context, to string, n int) ([]notify.OutboxMessage, error) {
	rows, err := o.s.query(ctx, `SELECT at, channel, to_addr, template, subject, body FROM dev_outbox
		WHERE ? = '' OR to_addr = ? ORDER BY at DESC, id LIMIT ?`, to, to, n)
	if err != nil {
		return nil, fmt.Errorf("dev outbox: %w", err)
	}
	defer rows.Close()
	var out []notify.OutboxMessage
	for rows.Next() {
		var m notify.OutboxMessage
		var at int64
		e := &m.Envelope
		if err := rows.Scan(&at, &e.Channel, &e.To, &e.Template, &e.Subject, &e.Body); err != nil {
			return nil, err
		}
		m.At = fromMS(at)
		out = append([]notify.OutboxMessage{m}, out...)
	}
	return out, rows.Err()
}
