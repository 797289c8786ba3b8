package store

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ImportPhones reads a CSV of desk phones (entity,number,label,location; a header line starting
// with "entity" is skipped) and upserts them, all or nothing. It returns how many rows it read.
func (s *Store) ImportPhones(ctx context.Context, r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var phones []Phone
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("phones csv: %w", err)
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "entity") {
			continue
		}
		if len(rec) < 2 || len(rec) > 4 {
			return 0, fmt.Errorf("phones csv line %d: want entity,number[,label[,location]]", line)
		}
		for len(rec) < 4 {
			rec = append(rec, "")
		}
		p := Phone{EntityID: strings.TrimSpace(rec[0]), Number: strings.TrimSpace(rec[1]),
			Label: strings.TrimSpace(rec[2]), Location: strings.TrimSpace(rec[3])}
		if p.EntityID == "" || p.Number == "" {
			return 0, fmt.Errorf("phones csv line %d: entity and number are required", line)
		}
		phones = append(phones, p)
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		for _, p := range phones {
			if err := upsertPhone(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(phones), nil
}

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
