package store

import (
	"context"
	"fmt"
)

// AuditLine is an audit entry with what operators read instead of ids: the account's
// identifiant and national id, and for profile events the profile's label and entity.
type AuditLine struct {
	AuditEntry
	Identifiant string
	NationalID  string
	Profile     string // "ARM — SAMU 99 TEST" for profile events whose detail is a profile id
}

// AuditTailNamed is AuditTail with the names joined in (oldest first).
func (s *Store) AuditTailNamed(ctx context.Context, n int) ([]AuditLine, error) {
	rows, err := s.query(ctx, `SELECT a.id, a.at, a.event, a.result, a.code, a.user_id, a.subject, a.session_id,
		a.workstation, a.remote, a.detail, COALESCE(u.identifiant, ''), COALESCE(u.national_id, ''),
		COALESCE(p.label || ' — ' || e.name, '')
		FROM audit a LEFT JOIN users u ON u.id = a.user_id AND a.user_id <> ''
		LEFT JOIN profiles p ON a.event = 'profile' AND p.id = a.detail
		LEFT JOIN entities e ON e.id = p.entity_id
		ORDER BY a.id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("audit tail: %w", err)
	}
	defer rows.Close()
	var out []AuditLine
	for rows.Next() {
		var l AuditLine
		var at int64
		if err := rows.Scan(&l.ID, &at, &l.Event, &l.Result, &l.Code, &l.UserID, &l.Subject, &l.SessionID,
			&l.Workstation, &l.Remote, &l.Detail, &l.Identifiant, &l.NationalID, &l.Profile); err != nil {
			return nil, err
		}
		l.At = fromMS(at)
		out = append(out, l)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}
