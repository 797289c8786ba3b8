package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PhoneTakenError is a phone held by another live session.
type PhoneTakenError struct {
	Number    string
	Holder    string // display name of the holder
	SessionID string
}

func (e *PhoneTakenError) Error() string {
	return "phone " + e.Number + " is linked to another session"
}

// ChooseProfile sets the session's profile (one of its user's) and remembers it for the
// workstation. A phone of another entity is unlinked.
func (s *Store) ChooseProfile(ctx context.Context, sessionID, profileID string) (Session, error) {
	now := s.now()
	err := s.Tx(ctx, func(tx *Tx) error {
		sess, err := liveSession(ctx, tx, sessionID, now)
		if err != nil {
			return err
		}
		var entity string
		err = tx.QueryRow(ctx, "SELECT entity_id FROM profiles WHERE id = ? AND user_id = ?", profileID, sess.UserID).Scan(&entity)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("profile %s: %w", profileID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("choose profile: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE sessions SET profile_id = ? WHERE id = ?", profileID, sessionID); err != nil {
			return fmt.Errorf("choose profile: %w", err)
		}
		if sess.Phone != "" && sess.PhoneEntity != entity {
			if _, err := tx.Exec(ctx, "DELETE FROM phone_links WHERE session_id = ?", sessionID); err != nil {
				return fmt.Errorf("unlink phone: %w", err)
			}
		}
		if err := savePrefs(ctx, tx, sess.UserID, sess.Workstation, &profileID, nil, now); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, Event: AuditProfile, UserID: sess.UserID, SessionID: sessionID,
			Workstation: sess.Workstation, Detail: profileID})
	})
	if err != nil {
		return Session{}, err
	}
	return s.SessionByID(ctx, sessionID)
}

// LinkRequest links a session to a desk phone.
type LinkRequest struct {
	SessionID string
	Number    string
	Takeover  bool   // unlink the live session holding it
	ByName    string // display name of the requester, told to the session taken over
	Remote    string
}

// LinkPhone links the session to the phone numbered Number in its profile's entity, in one
// transaction: ErrProfileNeeded without a profile, ErrPhoneUnknown when the entity has no
// such phone, *PhoneTakenError when a live session holds it and Takeover is false. A takeover
// ends the other link and queues a phone_taken_over event for that session. The database's
// unique constraints make a concurrent double link fail rather than succeed.
func (s *Store) LinkPhone(ctx context.Context, r LinkRequest) (Session, error) {
	now := s.now()
	err := s.Tx(ctx, func(tx *Tx) error {
		sess, err := liveSession(ctx, tx, r.SessionID, now)
		if err != nil {
			return err
		}
		if sess.ProfileID == "" {
			return ErrProfileNeeded
		}
		var entity string
		if err := tx.QueryRow(ctx, "SELECT entity_id FROM profiles WHERE id = ?", sess.ProfileID).Scan(&entity); err != nil {
			return fmt.Errorf("link phone: profile: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM phones WHERE entity_id = ? AND number = ?", entity, r.Number).Scan(&n); err != nil {
			return fmt.Errorf("link phone: %w", err)
		}
		if n == 0 {
			return ErrPhoneUnknown
		}
		if sess.Phone == r.Number && sess.PhoneEntity == entity {
			return nil
		}
		if err := freePhone(ctx, tx, entity, r, sess, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM phone_links WHERE session_id = ?", sess.ID); err != nil {
			return fmt.Errorf("link phone: %w", err)
		}
		_, err = tx.Exec(ctx, "INSERT INTO phone_links (entity_id, number, session_id, linked_at) VALUES (?, ?, ?, ?)",
			entity, r.Number, sess.ID, ms(now))
		if IsUnique(err) {
			return &PhoneTakenError{Number: r.Number}
		}
		if err != nil {
			return fmt.Errorf("link phone: %w", err)
		}
		phone := r.Number
		if err := savePrefs(ctx, tx, sess.UserID, sess.Workstation, nil, &phone, now); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, Event: AuditLink, UserID: sess.UserID, SessionID: sess.ID,
			Workstation: sess.Workstation, Remote: r.Remote, Detail: entity + "/" + r.Number})
	})
	if err != nil {
		return Session{}, err
	}
	return s.SessionByID(ctx, r.SessionID)
}

// freePhone clears the way for a link: a link of a dead session is dropped; a live holder is
// refused, or taken over when asked.
func freePhone(ctx context.Context, tx *Tx, entity string, r LinkRequest, sess Session, now time.Time) error {
	var holderID, userID, given, family string
	var ended, idle, exp int64
	err := tx.QueryRow(ctx, `SELECT s.id, s.user_id, COALESCE(s.ended_at, 0), s.idle_expires_at, s.expires_at,
		u.given_name, u.family_name FROM phone_links l JOIN sessions s ON s.id = l.session_id
		JOIN users u ON u.id = s.user_id WHERE l.entity_id = ? AND l.number = ?`, entity, r.Number).
		Scan(&holderID, &userID, &ended, &idle, &exp, &given, &family)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("link phone: holder: %w", err)
	}
	live := ended == 0 && now.Before(fromMS(idle)) && now.Before(fromMS(exp))
	if live && !r.Takeover {
		return &PhoneTakenError{Number: r.Number, Holder: given + " " + family, SessionID: holderID}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM phone_links WHERE entity_id = ? AND number = ?", entity, r.Number); err != nil {
		return fmt.Errorf("link phone: free: %w", err)
	}
	if !live {
		return nil
	}
	if err := addEvent(ctx, tx, Event{SessionID: holderID, At: now, Type: EventPhoneTakenOver, Phone: r.Number, By: r.ByName}); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{At: now, Event: AuditTakeover, UserID: sess.UserID, SessionID: sess.ID,
		Workstation: sess.Workstation, Remote: r.Remote, Detail: entity + "/" + r.Number + " from session " + holderID})
}

// UnlinkPhone frees the session's phone, if any.
func (s *Store) UnlinkPhone(ctx context.Context, sessionID string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM phone_links WHERE session_id = ?", sessionID)
		if err != nil {
			return fmt.Errorf("unlink phone: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.Audit(ctx, AuditEntry{Event: AuditUnlink, SessionID: sessionID})
	})
}

func liveSession(ctx context.Context, tx *Tx, id string, now time.Time) (Session, error) {
	sess, err := scanSession(tx.QueryRow(ctx, "SELECT "+sessionCols+sessionFrom+"WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	if !sess.Live(now) {
		return Session{}, ErrSessionEnded
	}
	return sess, nil
}

// LastChoice returns what the user last chose on the workstation.
func (s *Store) LastChoice(ctx context.Context, userID, workstation string) (profileID, phone string, err error) {
	var p sql.NullString
	err = s.queryRow(ctx, "SELECT profile_id, phone FROM workstation_prefs WHERE user_id = ? AND workstation = ?",
		userID, workstation).Scan(&p, &phone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("last choice: %w", err)
	}
	return p.String, phone, nil
}

func savePrefs(ctx context.Context, tx *Tx, userID, ws string, profileID, phone *string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO workstation_prefs (user_id, workstation, profile_id, phone, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, workstation) DO UPDATE SET
		profile_id = COALESCE(?, workstation_prefs.profile_id),
		phone = COALESCE(?, workstation_prefs.phone), updated_at = excluded.updated_at`,
		userID, ws, profileID, deref(phone), ms(now), profileID, phone)
	if err != nil {
		return fmt.Errorf("save workstation choice: %w", err)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
