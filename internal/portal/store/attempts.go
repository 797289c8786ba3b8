package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LockState is the failure count of an account or of a typed name (auth_throttle): failures
// since the last success or lock, locks since the last success (the wait grows with them),
// and the lock's end (zero: not locked).
type LockState struct {
	Failures    int
	Locks       int
	LockedUntil time.Time
}

// Attempt is one guess of a secret (password, old password, code, secret answer) to fold
// into the lock state of an account and, for a sign-in, of the name that was typed.
type Attempt struct {
	UserID  string // "" when the name matches no account: the same statements run, on no row
	Subject string // the normalised name typed at sign-in; "" when no name is counted
	// Fold computes the new states from the current ones and returns the audit line to
	// write in the same transaction (Event "" writes none).
	Fold func(acct, name *LockState) AuditEntry
}

// RecordAttempt reads the account's and the name's lock state with their rows locked (FOR
// UPDATE on PostgreSQL; SQLite's write lock, taken by BEGIN IMMEDIATE), lets a.Fold decide
// and writes the outcome in the same transaction: concurrent guesses, from this process or
// another instance on the same database, are counted one after another, never lost.
func (s *Store) RecordAttempt(ctx context.Context, a Attempt) error {
	return s.Tx(ctx, func(tx *Tx) error {
		now := ms(s.now())
		acct, err := tx.lockState(ctx, "SELECT failed_attempts, lock_count, COALESCE(locked_until, 0) FROM users WHERE id = ?", a.UserID)
		if err != nil {
			return err
		}
		var name LockState
		if a.Subject != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO auth_throttle (subject, failures, locked_until, updated_at)
				VALUES (?, 0, 0, ?) ON CONFLICT (subject) DO NOTHING`, a.Subject, now); err != nil {
				return fmt.Errorf("throttle: %w", err)
			}
			if name, err = tx.lockState(ctx, "SELECT failures, lock_count, locked_until FROM auth_throttle WHERE subject = ?", a.Subject); err != nil {
				return err
			}
		}
		audit := a.Fold(&acct, &name)
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_attempts = ?, lock_count = ?, locked_until = ? WHERE id = ?",
			acct.Failures, acct.Locks, nullMS(acct.LockedUntil), a.UserID); err != nil {
			return fmt.Errorf("lock state: %w", err)
		}
		if a.Subject != "" {
			if _, err := tx.Exec(ctx, "UPDATE auth_throttle SET failures = ?, lock_count = ?, locked_until = ?, updated_at = ? WHERE subject = ?",
				name.Failures, name.Locks, msOrZero(name.LockedUntil), now, a.Subject); err != nil {
				return fmt.Errorf("throttle: %w", err)
			}
			if _, err := tx.Exec(ctx, "DELETE FROM auth_throttle WHERE updated_at < ? AND locked_until < ?",
				now-int64(24*time.Hour/time.Millisecond), now); err != nil {
				return fmt.Errorf("purge throttle: %w", err)
			}
		}
		return auditIf(ctx, tx, audit)
	})
}

// lockState reads one row's counters, locked until the end of the transaction (a missing
// row is the zero state).
func (t *Tx) lockState(ctx context.Context, q, key string) (LockState, error) {
	if t.s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var st LockState
	var locked int64
	err := t.QueryRow(ctx, q, key).Scan(&st.Failures, &st.Locks, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return LockState{}, nil
	}
	if err != nil {
		return LockState{}, fmt.Errorf("read lock state: %w", err)
	}
	st.LockedUntil = fromMSOrZero(locked)
	return st, nil
}

// Unlock clears an account's failures and lock, and those of its names
// (`cpx-portal admin user unlock`).
func (s *Store) Unlock(ctx context.Context, userID string, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if err := tx.clearLocks(ctx, userID); err != nil {
			return err
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// clearLocks resets the account's counters and forgets those of its identifiant and e-mail
// address as typed names (a new password, an unlock by the support).
func (t *Tx) clearLocks(ctx context.Context, userID string) error {
	res, err := t.Exec(ctx, "UPDATE users SET failed_attempts = 0, lock_count = 0, locked_until = NULL WHERE id = ?", userID)
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if _, err := t.Exec(ctx, `DELETE FROM auth_throttle WHERE subject IN
		(SELECT identifiant FROM users WHERE id = ? UNION SELECT LOWER(email) FROM users WHERE id = ?)`,
		userID, userID); err != nil {
		return fmt.Errorf("unlock names: %w", err)
	}
	return nil
}

// RevokeLinks spends every outstanding recovery link of the account: a newer link, a reset,
// a password change and a sign-out of the other devices all make older links useless.
func (t *Tx) RevokeLinks(ctx context.Context, userID string) error {
	if _, err := t.Exec(ctx, "UPDATE auth_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
		ms(t.s.now()), userID); err != nil {
		return fmt.Errorf("revoke links: %w", err)
	}
	return nil
}

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}
