package store

import (
	"context"
	"fmt"
	"time"
)

// Event types queued for a session (the same strings as api.Event*).
const (
	EventPhoneTakenOver = "phone_taken_over"
	EventExpired        = "session_expired"
	EventRevoked        = "session_revoked"
	EventSignedOut      = "signed_out"
)

// Event is a message queued for a session's event stream. Events live in the database so that
// any portal instance serving the stream sees them.
type Event struct {
	ID        int64
	SessionID string
	At        time.Time
	Type      string
	Phone     string
	By        string
}

func addEvent(ctx context.Context, tx *Tx, e Event) error {
	_, err := tx.Exec(ctx, "INSERT INTO session_events (session_id, at, type, phone, by_name) VALUES (?, ?, ?, ?, ?)",
		e.SessionID, ms(e.At), e.Type, e.Phone, e.By)
	if err != nil {
		return fmt.Errorf("queue event: %w", err)
	}
	return nil
}

// Events returns the session's events after id afterID, oldest first.
func (s *Store) Events(ctx context.Context, sessionID string, afterID int64) ([]Event, error) {
	rows, err := s.query(ctx, `SELECT id, session_id, at, type, phone, by_name FROM session_events
		WHERE session_id = ? AND id > ? ORDER BY id`, sessionID, afterID)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &e.SessionID, &at, &e.Type, &e.Phone, &e.By); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastEventID is the id of the session's latest event (0 when none): a new stream starts after it.
func (s *Store) LastEventID(ctx context.Context, sessionID string) (int64, error) {
	var id *int64
	if err := s.queryRow(ctx, "SELECT MAX(id) FROM session_events WHERE session_id = ?", sessionID).Scan(&id); err != nil {
		return 0, fmt.Errorf("read events: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// CredentialActions is the default hook for the first-login steps owed by the account's
// credentials: set_password when it has no password, change_password when it must change it,
// set_otp_channels when no OTP channel is active. The password/OTP packages may replace it.
func (s *Store) CredentialActions(ctx context.Context, userID string) ([]string, error) {
	var hasPwd, mustChange, channels int
	err := s.queryRow(ctx, `SELECT CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, must_change_password,
		(SELECT COUNT(*) FROM otp_channels c WHERE c.user_id = users.id AND c.active = 1)
		FROM users WHERE id = ?`, userID).Scan(&hasPwd, &mustChange, &channels)
	if err != nil {
		return nil, fmt.Errorf("credential actions: %w", err)
	}
	var out []string
	switch {
	case hasPwd == 0:
		out = append(out, "set_password")
	case mustChange != 0:
		out = append(out, "change_password")
	}
	if channels == 0 {
		out = append(out, "set_otp_channels")
	}
	return out, nil
}
