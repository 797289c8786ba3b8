package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// ErrNoDatabase: the database OpenExisting was asked for does not exist or holds no schema
// (never migrated). The error names the place (SQLite file or PostgreSQL URL without its
// password).
var ErrNoDatabase = errors.New("no portal database")

// OpenExisting is Open for commands that must not create a database (`cpx-portal admin`):
// the SQLite file must exist (it is opened read-write, never created) and the database must
// have been migrated at least once.
func OpenExisting(ctx context.Context, dsn, dataDir string) (*Store, error) {
	where := Where(dsn, dataDir)
	if dsn == "" && dataDir != "" {
		if _, err := os.Stat(filepath.Join(dataDir, "portal.db")); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", where, ErrNoDatabase)
		}
	}
	s, err := open(ctx, dsn, dataDir, false)
	if err != nil {
		return nil, err
	}
	ok, err := s.hasSchema(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	if !ok {
		s.Close()
		return nil, fmt.Errorf("%s: schema_migrations missing: %w", where, ErrNoDatabase)
	}
	return s, nil
}

// Where names the database for operators: the SQLite file, or the PostgreSQL URL with its
// password hidden.
func Where(dsn, dataDir string) string {
	if dsn == "" {
		return filepath.Join(dataDir, "portal.db")
	}
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "postgres (dsn unreadable)"
}

// hasSchema reports whether schema_migrations exists (the database was migrated once).
func (s *Store) hasSchema(ctx context.Context) (bool, error) {
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if s.dialect == Postgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
	}
	var n int
	if err := s.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("look for the schema: %w", err)
	}
	return n > 0, nil
}

// sqliteMode is the open mode of the SQLite URI: rwc creates the file, rw does not.
func sqliteMode(create bool) string {
	if create {
		return "rwc"
	}
	return "rw"
}

// createPrivate makes an empty database file readable by its owner only (the WAL and shm
// files SQLite adds take the same mode).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}
