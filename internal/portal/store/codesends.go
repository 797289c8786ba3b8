package store

import (
	"context"
	"fmt"
	"time"
)

// TakeCodeSend counts one code about to be sent to an account against its cap of perHour
// codes in the last hour (both channels, sign-in, channel tests and recovery together) and
// reports whether it may go. The account's row is locked while counting (FOR UPDATE on
// PostgreSQL; SQLite's write lock), so that parallel requests on any instance cannot exceed
// the cap.
func (s *Store) TakeCodeSend(ctx context.Context, userID string, perHour int) (bool, error) {
	allowed := false
	err := s.Tx(ctx, func(tx *Tx) error {
		now := s.now()
		q := "SELECT id FROM users WHERE id = ?"
		if s.dialect == Postgres {
			q += " FOR UPDATE"
		}
		var id string
		if err := tx.QueryRow(ctx, q, userID).Scan(&id); err != nil {
			return fmt.Errorf("code cap: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM auth_code_sends WHERE user_id = ? AND at < ?",
			userID, ms(now.Add(-time.Hour))); err != nil {
			return fmt.Errorf("code cap: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM auth_code_sends WHERE user_id = ?", userID).Scan(&n); err != nil {
			return fmt.Errorf("code cap: %w", err)
		}
		if n >= perHour {
			return nil
		}
		allowed = true
		_, err := tx.Exec(ctx, "INSERT INTO auth_code_sends (id, user_id, at) VALUES (?, ?, ?)", NewID(), userID, ms(now))
		return err
	})
	return allowed, err
}

// CaptchaReplay is the otp.ReplayCache of captcha tokens in the database (auth_captcha_used):
// a token answered once is spent for every instance on the database and after a restart.
func (s *Store) CaptchaReplay() *CaptchaReplay { return &CaptchaReplay{s: s} }

// CaptchaReplay implements otp.ReplayCache.
type CaptchaReplay struct{ s *Store }

// Use records nonce until `until` and reports whether it was fresh (one row inserted).
func (c *CaptchaReplay) Use(ctx context.Context, nonce string, until time.Time) (bool, error) {
	fresh := false
	err := c.s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM auth_captcha_used WHERE expires_at < ?", ms(c.s.now())); err != nil {
			return fmt.Errorf("purge captchas: %w", err)
		}
		res, err := tx.Exec(ctx, `INSERT INTO auth_captcha_used (nonce, expires_at) VALUES (?, ?)
			ON CONFLICT (nonce) DO NOTHING`, nonce, ms(until))
		if err != nil {
			return fmt.Errorf("spend captcha: %w", err)
		}
		n, _ := res.RowsAffected()
		fresh = n == 1
		return nil
	})
	return fresh, err
}
