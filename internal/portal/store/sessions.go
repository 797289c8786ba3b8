package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Why a session ended.
const (
	EndSignedOut = "signed_out"
	EndExpired   = "expired"
	EndRevoked   = "revoked"
)

// Session is a portal session as stored (the token only as its SHA-256).
type Session struct {
	ID            string
	UserID        string
	Method        string
	Workstation   string
	ProfileID     string
	CreatedAt     time.Time
	LastSeenAt    time.Time
	IdleExpiresAt time.Time
	ExpiresAt     time.Time
	EndedAt       time.Time // zero while open
	EndReason     string
	Phone         string // linked desk phone
	PhoneEntity   string
	ACR           string // Pro Santé Connect sign-ins: the acr and authMode PSC gave
	AuthMode      string
}

// Live reports whether the session is open and within both timeouts at now.
func (s Session) Live(now time.Time) bool {
	return s.EndedAt.IsZero() && now.Before(s.ExpiresAt) && now.Before(s.IdleExpiresAt)
}

// NewSession is what CreateSession needs.
type NewSession struct {
	TokenHash   string
	UserID      string
	Method      string
	Workstation string
	Idle, Max   time.Duration
	// Pro Santé Connect sign-ins: acr, authMode and the ID token (kept for end_session).
	ACR, AuthMode, IDToken string
}

// CreateSession opens a session and audits the sign-in, in one transaction.
func (s *Store) CreateSession(ctx context.Context, n NewSession, audit AuditEntry) (Session, error) {
	now := s.now()
	sess := Session{ID: NewID(), UserID: n.UserID, Method: n.Method, Workstation: n.Workstation,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(n.Max), IdleExpiresAt: now.Add(n.Idle), ACR: n.ACR, AuthMode: n.AuthMode}
	if sess.IdleExpiresAt.After(sess.ExpiresAt) {
		sess.IdleExpiresAt = sess.ExpiresAt
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id, token_hash, user_id, method, workstation,
			created_at, last_seen_at, idle_expires_at, expires_at, acr, auth_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.ID, n.TokenHash, n.UserID, n.Method, n.Workstation, ms(now), ms(now),
			ms(sess.IdleExpiresAt), ms(sess.ExpiresAt), n.ACR, n.AuthMode)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		if n.IDToken != "" {
			if _, err := tx.Exec(ctx, "INSERT INTO psc_tokens (session_id, id_token) VALUES (?, ?)", sess.ID, n.IDToken); err != nil {
				return fmt.Errorf("create session: psc token: %w", err)
			}
		}
		audit.SessionID, audit.UserID, audit.Workstation = sess.ID, n.UserID, n.Workstation
		return tx.Audit(ctx, audit)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

const sessionCols = `s.id, s.user_id, s.method, s.workstation, COALESCE(s.profile_id, ''), s.created_at,
	s.last_seen_at, s.idle_expires_at, s.expires_at, COALESCE(s.ended_at, 0), COALESCE(s.end_reason, ''),
	COALESCE(l.number, ''), COALESCE(l.entity_id, ''), s.acr, s.auth_mode`

const sessionFrom = ` FROM sessions s LEFT JOIN phone_links l ON l.session_id = s.id `

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var x Session
	var created, seen, idle, exp, ended int64
	err := row.Scan(&x.ID, &x.UserID, &x.Method, &x.Workstation, &x.ProfileID, &created, &seen,
		&idle, &exp, &ended, &x.EndReason, &x.Phone, &x.PhoneEntity, &x.ACR, &x.AuthMode)
	x.CreatedAt, x.LastSeenAt, x.IdleExpiresAt, x.ExpiresAt = fromMS(created), fromMS(seen), fromMS(idle), fromMS(exp)
	if ended != 0 {
		x.EndedAt = fromMS(ended)
	}
	return x, err
}

// SessionByToken finds a session by the SHA-256 of its token, open or not (ErrNotFound).
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (Session, error) {
	return s.sessionWhere(ctx, "s.token_hash = ?", tokenHash)
}

// SessionByID finds a session by id (ErrNotFound).
func (s *Store) SessionByID(ctx context.Context, id string) (Session, error) {
	return s.sessionWhere(ctx, "s.id = ?", id)
}

func (s *Store) sessionWhere(ctx context.Context, cond string, arg any) (Session, error) {
	x, err := scanSession(s.queryRow(ctx, "SELECT "+sessionCols+sessionFrom+"WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return x, nil
}

// Sessions lists sessions, newest first: open ones only, or all (at most limit).
func (s *Store) Sessions(ctx context.Context, openOnly bool, limit int) ([]Session, error) {
	cond := "1 = 1"
	if openOnly {
		cond = "s.ended_at IS NULL"
	}
	rows, err := s.query(ctx, "SELECT "+sessionCols+sessionFrom+"WHERE "+cond+
		" ORDER BY s.created_at DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Touch records activity: the idle deadline moves to now+idle (never past the absolute one).
func (s *Store) Touch(ctx context.Context, id string, idle time.Duration) (time.Time, error) {
	now := s.now()
	next := ms(now.Add(idle))
	_, err := s.exec(ctx, `UPDATE sessions SET last_seen_at = ?,
		idle_expires_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END
		WHERE id = ? AND ended_at IS NULL`, ms(now), next, next, id)
	if err != nil {
		return time.Time{}, fmt.Errorf("touch session: %w", err)
	}
	return fromMS(next), nil
}

// EndSession ends an open session (sign-out, revocation), frees its phone, queues its final
// event and audits it, in one transaction. Ending an ended session is ErrSessionEnded.
func (s *Store) EndSession(ctx context.Context, id, reason string, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE id = ? AND ended_at IS NULL", id).Scan(&n); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n == 0 {
			return ErrSessionEnded
		}
		if err := endSession(ctx, tx, id, reason, s.now()); err != nil {
			return err
		}
		audit.SessionID = id
		return tx.Audit(ctx, audit)
	})
}

func endSession(ctx context.Context, tx *Tx, id, reason string, now time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM phone_links WHERE session_id = ?", id); err != nil {
		return fmt.Errorf("free phone: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
		ms(now), reason, id); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return addEvent(ctx, tx, Event{SessionID: id, At: now, Type: endEvent(reason)})
}

func endEvent(reason string) string {
	switch reason {
	case EndRevoked:
		return EventRevoked
	case EndExpired:
		return EventExpired
	}
	return EventSignedOut
}

func openSessionIDs(ctx context.Context, tx *Tx, cond string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT id FROM sessions WHERE ended_at IS NULL AND "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("list open sessions: %w", err)
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

// Sweep ends every open session past one of its timeouts, frees its phone and audits it. It
// returns how many it ended. The server runs it at start-up and periodically.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	var n int
	err := s.Tx(ctx, func(tx *Tx) error {
		ids, err := openSessionIDs(ctx, tx, "(expires_at <= ? OR idle_expires_at <= ?)", ms(now), ms(now))
		if err != nil {
			return err
		}
		for _, id := range ids {
			var userID, ws string
			if err := tx.QueryRow(ctx, "SELECT user_id, workstation FROM sessions WHERE id = ?", id).Scan(&userID, &ws); err != nil {
				return err
			}
			if err := endSession(ctx, tx, id, EndExpired, now); err != nil {
				return err
			}
			if err := tx.Audit(ctx, AuditEntry{At: now, Event: AuditExpire, SessionID: id, UserID: userID, Workstation: ws}); err != nil {
				return err
			}
		}
		n = len(ids)
		// Events of sessions ended long ago are no longer read.
		_, err = tx.Exec(ctx, "DELETE FROM session_events WHERE at < ?", ms(now.Add(-24*time.Hour)))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	return n, nil
}

// CountOpenSessions counts sessions not ended.
func (s *Store) CountOpenSessions(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return n, nil
}
