package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PSCIDToken is the Pro Santé Connect ID token of a session ("" for other sessions), for
// end_session's id_token_hint on an explicit sign-out.
func (s *Store) PSCIDToken(ctx context.Context, sessionID string) (string, error) {
	var tok string
	err := s.queryRow(ctx, "SELECT id_token FROM psc_tokens WHERE session_id = ?", sessionID).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("psc token: %w", err)
	}
	return tok, nil
}

// ForgetPSCIDToken drops a session's ID token (after its sign-out).
func (s *Store) ForgetPSCIDToken(ctx context.Context, sessionID string) error {
	if _, err := s.exec(ctx, "DELETE FROM psc_tokens WHERE session_id = ?", sessionID); err != nil {
		return fmt.Errorf("psc token: %w", err)
	}
	return nil
}
