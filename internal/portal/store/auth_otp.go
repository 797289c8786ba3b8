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

// Challenge purposes.
const (
	PurposeSignIn  = "signin"  // identifiant + password accepted, code owed
	PurposeChannel = "channel" // "Tester" on an OTP channel, code owed to validate it
)

// ErrChanged means a compare-and-set update found the row changed by someone else.
var ErrChanged = errors.New("changed concurrently")

// Challenge is a pending second factor. OTP.ID is "" until the first code is sent.
type Challenge struct {
	ID          string
	UserID      string
	Purpose     string
	Workstation string
	CreatedAt   time.Time
	OTP         otp.Challenge
	JobID       string // delivery job of the last code
}

// AddChallenge stores a new challenge; for a channel test it replaces the user's previous
// test of the same kind.
func (s *Store) AddChallenge(ctx context.Context, c Challenge, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if c.Purpose == PurposeChannel {
			if _, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE user_id = ? AND purpose = ? AND kind = ?",
				c.UserID, c.Purpose, c.OTP.Channel.Kind); err != nil {
				return fmt.Errorf("replace channel test: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO auth_challenges (id, user_id, purpose, workstation, created_at,
			otp_id, kind, address, code_mac, issued_at, expires_at, last_sent_at, tries, sends, used, job_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, challengeArgs(c)...)
		if err != nil {
			return fmt.Errorf("add challenge: %w", err)
		}
		return auditIf(ctx, tx, audit)
	})
}

func challengeArgs(c Challenge) []any {
	o := c.OTP
	return []any{c.ID, c.UserID, c.Purpose, c.Workstation, ms(c.CreatedAt), o.ID, o.Channel.Kind,
		o.Channel.Address, hex.EncodeToString(o.CodeMAC), msOrZero(o.IssuedAt), msOrZero(o.ExpiresAt),
		msOrZero(o.LastSentAt), o.Tries, o.Sends, b2i(o.Used), c.JobID}
}

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

func fromMSOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

// ChallengeByID reads a challenge (ErrNotFound).
func (s *Store) ChallengeByID(ctx context.Context, id string) (Challenge, error) {
	return s.challengeWhere(ctx, "id = ?", id)
}

// ChannelTest reads the user's pending test of a channel kind (ErrNotFound).
func (s *Store) ChannelTest(ctx context.Context, userID, kind string) (Challenge, error) {
	return s.challengeWhere(ctx, "user_id = ? AND purpose = '"+PurposeChannel+"' AND kind = ?", userID, kind)
}

func (s *Store) challengeWhere(ctx context.Context, cond string, args ...any) (Challenge, error) {
	var c Challenge
	var mac string
	var created, issued, exp, sent int64
	var used int
	err := s.queryRow(ctx, `SELECT id, user_id, purpose, workstation, created_at, otp_id, kind, address,
		code_mac, issued_at, expires_at, last_sent_at, tries, sends, used, job_id FROM auth_challenges
		WHERE `+cond, args...).Scan(&c.ID, &c.UserID, &c.Purpose, &c.Workstation, &created, &c.OTP.ID,
		&c.OTP.Channel.Kind, &c.OTP.Channel.Address, &mac, &issued, &exp, &sent, &c.OTP.Tries,
		&c.OTP.Sends, &used, &c.JobID)
	if errors.Is(err, sql.ErrNoRows) {
		return Challenge{}, ErrNotFound
	}
	if err != nil {
		return Challenge{}, fmt.Errorf("read challenge: %w", err)
	}
	c.CreatedAt, c.OTP.Used = fromMS(created), used != 0
	c.OTP.IssuedAt, c.OTP.ExpiresAt, c.OTP.LastSentAt = fromMSOrZero(issued), fromMSOrZero(exp), fromMSOrZero(sent)
	c.OTP.CodeMAC, _ = hex.DecodeString(mac)
	return c, nil
}

// UpdateChallenge writes c if the stored row still has prev's tries, sends and used flag
// (compare-and-set: two concurrent tries cannot both consume one code), else ErrChanged.
func (s *Store) UpdateChallenge(ctx context.Context, prev, c Challenge, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		args := challengeArgs(c)[5:]
		args = append(args, c.ID, prev.OTP.Tries, prev.OTP.Sends, b2i(prev.OTP.Used))
		res, err := tx.Exec(ctx, `UPDATE auth_challenges SET otp_id = ?, kind = ?, address = ?, code_mac = ?,
			issued_at = ?, expires_at = ?, last_sent_at = ?, tries = ?, sends = ?, used = ?, job_id = ?
			WHERE id = ? AND tries = ? AND sends = ? AND used = ?`, args...)
		if err != nil {
			return fmt.Errorf("update challenge: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrChanged
		}
		return auditIf(ctx, tx, audit)
	})
}

func auditIf(ctx context.Context, tx *Tx, a AuditEntry) error {
	if a.Event == "" {
		return nil
	}
	return tx.Audit(ctx, a)
}

// ActiveChannels lists the user's active OTP channels, e-mail first.
func (s *Store) ActiveChannels(ctx context.Context, userID string) ([]otp.Channel, error) {
	rows, err := s.query(ctx, `SELECT kind, value FROM otp_channels WHERE user_id = ? AND active = 1
		ORDER BY CASE kind WHEN 'email' THEN 0 ELSE 1 END`, userID)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	var out []otp.Channel
	for rows.Next() {
		var c otp.Channel
		if err := rows.Scan(&c.Kind, &c.Address); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ActivateChannel makes ch the user's active channel of its kind and deletes the test
// challenge, in one transaction.
func (s *Store) ActivateChannel(ctx context.Context, userID string, ch otp.Channel, testID string, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM otp_channels WHERE user_id = ? AND kind = ?", userID, ch.Kind); err != nil {
			return fmt.Errorf("activate channel: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO otp_channels (user_id, kind, value, active, validated_at)
			VALUES (?, ?, ?, 1, ?)`, userID, ch.Kind, ch.Address, ms(s.now())); err != nil {
			return fmt.Errorf("activate channel: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE id = ?", testID); err != nil {
			return fmt.Errorf("activate channel: %w", err)
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// RemoveChannel deletes the user's channel of kind (ErrNotFound when there is none).
func (s *Store) RemoveChannel(ctx context.Context, userID, kind string, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM otp_channels WHERE user_id = ? AND kind = ?", userID, kind)
		if err != nil {
			return fmt.Errorf("remove channel: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// RememberDevice stores a remembered workstation.
func (s *Store) RememberDevice(ctx context.Context, d otp.Device) error {
	_, err := s.exec(ctx, "INSERT INTO auth_devices (hash, user_id, workstation, expires_at) VALUES (?, ?, ?, ?)",
		hex.EncodeToString(d.Hash), d.UserID, d.Workstation, ms(d.ExpiresAt))
	if err != nil {
		return fmt.Errorf("remember device: %w", err)
	}
	return nil
}

// DeviceByToken finds a remembered workstation by its token's hash (ErrNotFound).
func (s *Store) DeviceByToken(ctx context.Context, hash []byte) (otp.Device, error) {
	var d otp.Device
	var h string
	var exp int64
	err := s.queryRow(ctx, "SELECT hash, user_id, workstation, expires_at FROM auth_devices WHERE hash = ?",
		hex.EncodeToString(hash)).Scan(&h, &d.UserID, &d.Workstation, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return otp.Device{}, ErrNotFound
	}
	if err != nil {
		return otp.Device{}, fmt.Errorf("read device: %w", err)
	}
	d.Hash, _ = hex.DecodeString(h)
	d.ExpiresAt = fromMS(exp)
	return d, nil
}

// ForgetOtherUsersDevices deletes the remembered workstations of other users on workstation
// (seed 003: another professional signing in cancels the record) and expired ones.
func (s *Store) ForgetOtherUsersDevices(ctx context.Context, userID, workstation string) error {
	_, err := s.exec(ctx, "DELETE FROM auth_devices WHERE (workstation = ? AND user_id <> ?) OR expires_at <= ?",
		workstation, userID, ms(s.now()))
	if err != nil {
		return fmt.Errorf("forget devices: %w", err)
	}
	return nil
}

// PurposeRecovery is a code sent to an active channel in place of the secret question; the
// challenge id is the recovery flow's.
const PurposeRecovery = "recovery"

// SignedInSince reports whether another user than userID opened a session on workstation
// after since, by any method (card, PSC, password): such a sign-in cancels a remembered
// workstation (seed 003) even when it did not go through the password routes.
func (s *Store) SignedInSince(ctx context.Context, workstation, userID string, since time.Time) (bool, error) {
	var n int
	err := s.queryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE workstation = ? AND user_id <> ? AND created_at > ?",
		workstation, userID, ms(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sign-ins on workstation: %w", err)
	}
	return n > 0, nil
}

// SetChallengeJob records the delivery job of a challenge's last code.
func (s *Store) SetChallengeJob(ctx context.Context, id, job string) error {
	if _, err := s.exec(ctx, "UPDATE auth_challenges SET job_id = ? WHERE id = ?", job, id); err != nil {
		return fmt.Errorf("challenge job: %w", err)
	}
	return nil
}
