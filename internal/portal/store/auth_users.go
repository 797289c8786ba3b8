package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Audit events of password and OTP sign-in, channels and recovery (docs/auth.md). Lines never
// hold a password, code, answer or token.
const (
	AuditPasswordSignIn = "password_signin"
	AuditLockout        = "lockout"
	AuditOTPSend        = "otp_send"
	AuditOTPVerify      = "otp_verify"
	AuditPasswordSet    = "password_set"
	AuditSecretSet      = "secret_question_set"
	AuditChannelTest    = "channel_test"
	AuditChannelSet     = "channel_set"
	AuditChannelRemove  = "channel_remove"
	AuditRecovery       = "recovery"
	AuditEnrol          = "enrol"
	AuditUnlock         = "unlock"
	AuditHabilitation   = "habilitation"
	AuditAccount        = "account"      // disabled or enabled (Detail)
	AuditRateLimited    = "rate_limited" // a client address over the rate limit (server)
)

// Credentials is what password sign-in and recovery read of an account.
type Credentials struct {
	User
	PasswordHash      string // "" when never set
	PasswordChangedAt time.Time
	MustChange        bool
	SecretQuestion    string
	SecretAnswerHash  string
	Failures          int
	LockedUntil       time.Time
}

// CredentialsOf reads an account's credentials (ErrNotFound).
func (s *Store) CredentialsOf(ctx context.Context, userID string) (Credentials, error) {
	var c Credentials
	var hab, dis int
	var created, changed, locked int64
	err := s.queryRow(ctx, `SELECT id, COALESCE(national_id, ''), identifiant, given_name, family_name,
		email, mobile, habilitation, disabled, created_at, COALESCE(password_hash, ''),
		COALESCE(password_changed_at, 0), must_change_password, COALESCE(secret_question, ''),
		COALESCE(secret_answer_hash, ''), failed_attempts, COALESCE(locked_until, 0)
		FROM users WHERE id = ?`, userID).Scan(&c.ID, &c.NationalID, &c.Identifiant, &c.GivenName,
		&c.FamilyName, &c.Email, &c.Mobile, &hab, &dis, &created, &c.PasswordHash, &changed,
		&c.MustChange, &c.SecretQuestion, &c.SecretAnswerHash, &c.Failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return Credentials{}, ErrNotFound
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("read credentials: %w", err)
	}
	c.Habilitation, c.Disabled, c.CreatedAt = hab != 0, dis != 0, fromMS(created)
	if changed != 0 {
		c.PasswordChangedAt = fromMS(changed)
	}
	if locked != 0 {
		c.LockedUntil = fromMS(locked)
	}
	return c, nil
}

// ByIdentifiant implements ident.Directory.
func (s *Store) ByIdentifiant(ctx context.Context, identifiant string) (string, bool, error) {
	var id string
	err := s.queryRow(ctx, "SELECT id FROM users WHERE identifiant = ?", identifiant).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("user by identifiant: %w", err)
	}
	return id, true, nil
}

// ByEmail implements ident.Directory: the accounts with this (lower-case) e-mail address.
func (s *Store) ByEmail(ctx context.Context, email string) ([]string, error) {
	rows, err := s.query(ctx, "SELECT id FROM users WHERE LOWER(email) = ? ORDER BY id", email)
	if err != nil {
		return nil, fmt.Errorf("users by e-mail: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// NewPassword is a password change as the store applies it.
type NewPassword struct {
	Hash       string
	MustChange bool   // provisional password (enrolment, support reset)
	KeepSessID string // with SignOutOthers: the session that stays open
	// SignOutOthers ends the account's other open sessions and forgets its remembered
	// workstations ("Se déconnecter des autres appareils", seed 003).
	SignOutOthers bool
}

// SetPassword stores a new password hash, clears the lock, optionally ends the other sessions
// and audits it, in one transaction. It returns the ids of the sessions it ended.
func (s *Store) SetPassword(ctx context.Context, userID string, p NewPassword, audit AuditEntry) ([]string, error) {
	var ended []string
	now := s.now()
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?,
			must_change_password = ? WHERE id = ?`, p.Hash, ms(now), b2i(p.MustChange), userID)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := tx.clearLocks(ctx, userID); err != nil {
			return err
		}
		if err := tx.RevokeLinks(ctx, userID); err != nil {
			return err
		}
		if p.SignOutOthers {
			if ended, err = tx.EndUserSessions(ctx, userID, p.KeepSessID); err != nil {
				return err
			}
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
	return ended, err
}

// SetSecret stores the secret question and the hash of its answer.
func (s *Store) SetSecret(ctx context.Context, userID, question, answerHash string, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET secret_question = ?, secret_answer_hash = ? WHERE id = ?",
			question, answerHash, userID)
		if err != nil {
			return fmt.Errorf("set secret question: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// SetHabilitation allows or refuses the application to an account (refusing ends its sessions).
func (s *Store) SetHabilitation(ctx context.Context, userID string, allowed bool, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET habilitation = ? WHERE id = ?", b2i(allowed), userID)
		if err != nil {
			return fmt.Errorf("set habilitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if !allowed {
			if _, err := tx.EndUserSessions(ctx, userID, ""); err != nil {
				return err
			}
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// AuthCredentialActions returns the server's CredentialActions hook for password accounts:
// set_password while no password was ever set, change_password for a provisional password or
// one older than maxAge (0: no expiry), set_secret_question for an account without a card
// that has no secret question yet (its only way to recover a password), set_otp_channels
// while no channel is active.
func (s *Store) AuthCredentialActions(maxAge time.Duration) func(ctx context.Context, userID string) ([]string, error) {
	return func(ctx context.Context, userID string) ([]string, error) {
		c, err := s.CredentialsOf(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("credential actions: %w", err)
		}
		var active int
		if err := s.queryRow(ctx, "SELECT COUNT(*) FROM otp_channels WHERE user_id = ? AND active = 1",
			userID).Scan(&active); err != nil {
			return nil, fmt.Errorf("credential actions: %w", err)
		}
		var out []string
		expired := maxAge > 0 && !s.now().Before(c.PasswordChangedAt.Add(maxAge))
		switch {
		case c.PasswordHash == "":
			out = append(out, "set_password")
		case c.MustChange || expired:
			out = append(out, "change_password")
		}
		if c.NationalID == "" && c.SecretQuestion == "" {
			out = append(out, "set_secret_question")
		}
		if active == 0 {
			out = append(out, "set_otp_channels")
		}
		return out, nil
	}
}
