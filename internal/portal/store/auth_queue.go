package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
)

// NotifyQueue is notify.Queue on the portal database (table notify_jobs): deliveries survive
// a restart and two portal instances on one PostgreSQL never claim the same job.
type NotifyQueue struct{ s *Store }

// NotifyQueue returns the delivery queue of the store.
func (s *Store) NotifyQueue() *NotifyQueue { return &NotifyQueue{s: s} }

var _ notify.Queue = (*NotifyQueue)(nil)

const jobCols = `id, channel, to_addr, template, subject, body, status, attempts, max_attempts, next_at,
	reason, created_at, updated_at`

func jobArgs(j notify.Job) []any {
	e := j.Envelope
	return []any{j.ID, e.Channel, e.To, e.Template, e.Subject, e.Body, string(j.Status), j.Attempts,
		j.MaxAttempts, ms(j.NextAt), j.Reason, ms(j.CreatedAt), ms(j.UpdatedAt)}
}

func scanJob(row interface{ Scan(...any) error }) (notify.Job, error) {
	var j notify.Job
	var st string
	var next, created, updated int64
	err := row.Scan(&j.ID, &j.Envelope.Channel, &j.Envelope.To, &j.Envelope.Template, &j.Envelope.Subject,
		&j.Envelope.Body, &st, &j.Attempts, &j.MaxAttempts, &next, &j.Reason, &created, &updated)
	j.Status, j.NextAt, j.CreatedAt, j.UpdatedAt = notify.Status(st), fromMS(next), fromMS(created), fromMS(updated)
	return j, err
}

// Enqueue implements notify.Queue.
func (q *NotifyQueue) Enqueue(ctx context.Context, j notify.Job) error {
	_, err := q.s.exec(ctx, "INSERT INTO notify_jobs ("+jobCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		jobArgs(j)...)
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Claim implements notify.Queue: the due jobs are pushed back by lease in the same
// transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite transactions are exclusive).
func (q *NotifyQueue) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Job, error) {
	var out []notify.Job
	err := q.s.Tx(ctx, func(tx *Tx) error {
		lock := ""
		if q.s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.Query(ctx, "SELECT "+jobCols+" FROM notify_jobs WHERE status = 'pending' AND next_at <= ?"+
			" ORDER BY next_at LIMIT ?"+lock, ms(now), limit)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, j)
		}
		rows.Close()
		for i := range out {
			out[i].NextAt = now.Add(lease)
			if _, err := tx.Exec(ctx, "UPDATE notify_jobs SET next_at = ? WHERE id = ?", ms(out[i].NextAt), out[i].ID); err != nil {
				return fmt.Errorf("claim: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// Update implements notify.Queue.
func (q *NotifyQueue) Update(ctx context.Context, j notify.Job) error {
	args := append(jobArgs(j)[1:], j.ID)
	res, err := q.s.exec(ctx, `UPDATE notify_jobs SET channel = ?, to_addr = ?, template = ?, subject = ?,
		body = ?, status = ?, attempts = ?, max_attempts = ?, next_at = ?, reason = ?, created_at = ?,
		updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("update job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notify.ErrNoJob
	}
	return nil
}

// Get implements notify.Queue.
func (q *NotifyQueue) Get(ctx context.Context, id string) (notify.Job, error) {
	j, err := scanJob(q.s.queryRow(ctx, "SELECT "+jobCols+" FROM notify_jobs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Job{}, notify.ErrNoJob
	}
	if err != nil {
		return notify.Job{}, fmt.Errorf("read job: %w", err)
	}
	return j, nil
}
