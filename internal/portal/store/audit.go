package store

import (
	"context"
	"fmt"
	"time"
)

// Audit results.
const (
	ResultOK      = "ok"
	ResultRefused = "refused"
)

// Audit events.
const (
	AuditSignIn   = "signin"
	AuditLink     = "phone_link"
	AuditTakeover = "phone_takeover"
	AuditUnlink   = "phone_unlink"
	AuditProfile  = "profile"
	AuditSignOut  = "signout"
	AuditRevoke   = "revoke"
	AuditExpire   = "expire"
)

// AuditEntry is one line of the audit trail. It never holds a secret.
type AuditEntry struct {
	ID          int64
	At          time.Time
	Event       string
	Result      string
	Code        string // api error code of a refusal
	UserID      string
	Subject     string // national id or identifiant presented
	SessionID   string
	Workstation string
	Remote      string
	Detail      string
}

// Audit appends an entry.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error { return tx.Audit(ctx, e) })
}

// Audit appends an entry inside the transaction.
func (t *Tx) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = t.s.now()
	}
	if e.Result == "" {
		e.Result = ResultOK
	}
	_, err := t.Exec(ctx, `INSERT INTO audit (at, event, result, code, user_id, subject, session_id,
		workstation, remote, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(e.At), e.Event, e.Result, e.Code, e.UserID, e.Subject, e.SessionID, e.Workstation, e.Remote, e.Detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditTail returns the last n entries, oldest first.
func (s *Store) AuditTail(ctx context.Context, n int) ([]AuditEntry, error) {
	rows, err := s.query(ctx, `SELECT id, at, event, result, code, user_id, subject, session_id,
		workstation, remote, detail FROM audit ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("audit tail: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Event, &e.Result, &e.Code, &e.UserID, &e.Subject,
			&e.SessionID, &e.Workstation, &e.Remote, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}
