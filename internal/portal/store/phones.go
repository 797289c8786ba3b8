package store

import (
	"context"
	"fmt"
)

// AddPhone adds or updates one desk phone.
func (s *Store) AddPhone(ctx context.Context, p Phone) error {
	return s.Tx(ctx, func(tx *Tx) error { return upsertPhone(ctx, tx, p) })
}

func upsertPhone(ctx context.Context, tx *Tx, p Phone) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM entities WHERE id = ?", p.EntityID).Scan(&n); err != nil {
		return fmt.Errorf("phone %s: %w", p.Number, err)
	}
	if n == 0 {
		return fmt.Errorf("phone %s: entity %s: %w", p.Number, p.EntityID, ErrNotFound)
	}
	_, err := tx.Exec(ctx, `INSERT INTO phones (entity_id, number, label, location) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity_id, number) DO UPDATE SET label = excluded.label, location = excluded.location`,
		p.EntityID, p.Number, p.Label, p.Location)
	if err != nil {
		return fmt.Errorf("phone %s: %w", p.Number, err)
	}
	return nil
}

// PhoneLink is a phone with the session holding it, if any.
type PhoneLink struct {
	Phone
	SessionID string
	Holder    string
}

// Phones lists an entity's phones (all entities when entityID is "") and who holds them.
func (s *Store) Phones(ctx context.Context, entityID string) ([]PhoneLink, error) {
	rows, err := s.query(ctx, `SELECT p.entity_id, p.number, p.label, p.location,
		COALESCE(l.session_id, ''), COALESCE(u.given_name || ' ' || u.family_name, '')
		FROM phones p LEFT JOIN phone_links l ON l.entity_id = p.entity_id AND l.number = p.number
		LEFT JOIN sessions s ON s.id = l.session_id LEFT JOIN users u ON u.id = s.user_id
		WHERE ? = '' OR p.entity_id = ? ORDER BY p.entity_id, p.number`, entityID, entityID)
	if err != nil {
		return nil, fmt.Errorf("list phones: %w", err)
	}
	defer rows.Close()
	var out []PhoneLink
	for rows.Next() {
		var p PhoneLink
		if err := rows.Scan(&p.EntityID, &p.Number, &p.Label, &p.Location, &p.SessionID, &p.Holder); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
