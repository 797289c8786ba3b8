package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
)

// Recovery is a forgotten-password or forgotten-identifiant flow in progress.
type Recovery struct {
	ID        string
	Kind      string // "password" or "identifiant"
	UserID    string // "" for a name that matches no account (decoy flow)
	Question  string
	ExpiresAt time.Time
	Tries     int
	Done      bool
}

// AddRecovery stores a recovery flow with an audit line.
func (s *Store) AddRecovery(ctx context.Context, r Recovery, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO auth_recoveries (id, kind, user_id, question, expires_at, tries, done)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Kind, r.UserID, r.Question, ms(r.ExpiresAt), r.Tries, b2i(r.Done))
		if err != nil {
			return fmt.Errorf("add recovery: %w", err)
		}
		return auditIf(ctx, tx, audit)
	})
}

// RecoveryByID reads a recovery flow (ErrNotFound).
func (s *Store) RecoveryByID(ctx context.Context, id string) (Recovery, error) {
	var r Recovery
	var exp int64
	var done int
	err := s.queryRow(ctx, `SELECT id, kind, user_id, question, expires_at, tries, done FROM auth_recoveries
		WHERE id = ?`, id).Scan(&r.ID, &r.Kind, &r.UserID, &r.Question, &exp, &r.Tries, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return Recovery{}, ErrNotFound
	}
	if err != nil {
		return Recovery{}, fmt.Errorf("read recovery: %w", err)
	}
	r.ExpiresAt, r.Done = fromMS(exp), done != 0
	return r, nil
}

// FinishRecovery records one answer (compare-and-set on tries and done) with its audit line;
// done ends the flow. ErrChanged when another answer got there first.
func (s *Store) FinishRecovery(ctx context.Context, r Recovery, done bool, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE auth_recoveries SET tries = tries + 1, done = ?
			WHERE id = ? AND tries = ? AND done = 0`, b2i(done), r.ID, r.Tries)
		if err != nil {
			return fmt.Errorf("answer recovery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrChanged
		}
		_, err = tx.Exec(ctx, "DELETE FROM auth_recoveries WHERE expires_at < ?", ms(s.now().Add(-time.Hour)))
		if err != nil {
			return fmt.Errorf("purge recoveries: %w", err)
		}
		return auditIf(ctx, tx, audit)
	})
}

// AddLink stores a recovery link; the account's older links stop working.
func (s *Store) AddLink(ctx context.Context, l otp.Link) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if err := tx.RevokeLinks(ctx, l.UserID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO auth_links (hash, user_id, purpose, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hex.EncodeToString(l.Hash), l.UserID, l.Purpose, ms(s.now()), ms(l.ExpiresAt))
		if err != nil {
			return fmt.Errorf("add link: %w", err)
		}
		return nil
	})
}

// LinkByToken reads a link by its token's hash (ErrNotFound).
func (s *Store) LinkByToken(ctx context.Context, hash []byte) (otp.Link, error) {
	var l otp.Link
	var h string
	var exp int64
	var used sql.NullInt64
	err := s.queryRow(ctx, "SELECT hash, user_id, purpose, expires_at, used_at FROM auth_links WHERE hash = ?",
		hex.EncodeToString(hash)).Scan(&h, &l.UserID, &l.Purpose, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return otp.Link{}, ErrNotFound
	}
	if err != nil {
		return otp.Link{}, fmt.Errorf("read link: %w", err)
	}
	l.Hash, _ = hex.DecodeString(h)
	l.ExpiresAt = fromMS(exp)
	if used.Valid {
		l.UsedAt = fromMS(used.Int64)
	}
	return l, nil
}

// RedeemLink marks a link used at its UsedAt inside fn's transaction, so that the password it
// sets and the redemption commit together; a link already used is ErrChanged.
func (s *Store) RedeemLink(ctx context.Context, l otp.Link, fn func(tx *Tx) error) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE auth_links SET used_at = ? WHERE hash = ? AND used_at IS NULL",
			ms(l.UsedAt), hex.EncodeToString(l.Hash))
		if err != nil {
			return fmt.Errorf("redeem link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrChanged
		}
		return fn(tx)
	})
}

// SetPasswordTx is SetPassword's update inside a transaction (link redemption).
func (t *Tx) SetPasswordTx(ctx context.Context, userID, hash string, audit AuditEntry) error {
	_, err := t.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = 0
		WHERE id = ?`, hash, ms(t.s.now()), userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := t.clearLocks(ctx, userID); err != nil {
		return err
	}
	if err := t.RevokeLinks(ctx, userID); err != nil {
		return err
	}
	audit.UserID = userID
	return t.Audit(ctx, audit)
}

// EndUserSessions revokes the user's open sessions but keep ("" for none), forgets its
// remembered workstations and revokes its recovery links, inside the transaction: the one way
// every path (password change or reset, account disabled, habilitation refused) ends a user's
// sessions. It returns the ended session ids.
func (t *Tx) EndUserSessions(ctx context.Context, userID, keep string) ([]string, error) {
	ids, err := openSessionIDs(ctx, t, "user_id = ? AND id <> ?", userID, keep)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := endSession(ctx, t, id, EndRevoked, t.s.now()); err != nil {
			return nil, err
		}
	}
	if _, err := t.Exec(ctx, "DELETE FROM auth_devices WHERE user_id = ?", userID); err != nil {
		return nil, fmt.Errorf("forget devices: %w", err)
	}
	return ids, t.RevokeLinks(ctx, userID)
}
