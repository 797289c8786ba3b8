// Package store keeps cpx-portal's state in SQL: an embedded SQLite file by default
// (modernc.org/sqlite, pure Go) or PostgreSQL (jackc/pgx/v5 stdlib) when a DSN is given. Both run
// the same numbered migrations (see migrations/README). Every change that spans rows runs in one
// transaction, so a crash leaves no partial state; the expiry sweeper ends dead sessions and
// frees their phones.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Errors of the store.
var (
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("already exists")
	ErrSessionEnded  = errors.New("session ended")
	ErrPhoneUnknown  = errors.New("phone unknown in the profile's entity")
	ErrProfileNeeded = errors.New("no profile chosen")
)

// Store is the portal database.
type Store struct {
	db      *sql.DB
	dialect string
	now     func() time.Time
	// wmu serialises this process's writes on SQLite, which allows one writer at a time:
	// waiting here is cheap, while SQLite's busy handler sleeps by steps of up to 100 ms.
	// A nested write inside a transaction gives up after writeWait (ErrBusy) instead of
	// waiting for ever.
	wmu chan struct{}
}

// ErrBusy is a write that waited too long for the database.
var ErrBusy = errors.New("database busy")

// writeWait bounds the wait for the write lock, like SQLite's busy_timeout.
const writeWait = 10 * time.Second

// lockWrite takes this process's SQLite write lock (a no-op on PostgreSQL).
func (s *Store) lockWrite(ctx context.Context) (unlock func(), err error) {
	if s.dialect != SQLite {
		return func() {}, nil
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case s.wmu <- struct{}{}:
		return func() { <-s.wmu }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, ErrBusy
	}
}

// Open opens the database: PostgreSQL when dsn starts with postgres:// or postgresql://, else
// the SQLite file portal.db in dataDir (directory 0700 and file 0600, created on first run).
// It does not migrate: call Migrate. OpenExisting never creates.
func Open(ctx context.Context, dsn, dataDir string) (*Store, error) {
	return open(ctx, dsn, dataDir, true)
}

func open(ctx context.Context, dsn, dataDir string, create bool) (*Store, error) {
	s := &Store{now: time.Now, wmu: make(chan struct{}, 1)}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.db.SetMaxOpenConns(20)
		s.db.SetMaxIdleConns(20)
	case dsn == "":
		if dataDir == "" {
			return nil, errors.New("open sqlite: no data directory")
		}
		path := filepath.Join(dataDir, "portal.db")
		if create {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			if err := createPrivate(path); err != nil {
				return nil, err
			}
		}
		s.dialect = SQLite
		s.db, err = sql.Open("sqlite", sqliteDSN(path)+"&mode="+sqliteMode(create))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		s.db.SetMaxOpenConns(8)
		s.db.SetMaxIdleConns(8)
	default:
		return nil, errors.New("open store: dsn must start with postgres:// (empty for SQLite)")
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect %s: %w", s.dialect, err)
	}
	return s, nil
}

// uriEscaper escapes what ends or changes the path of an SQLite URI filename.
var uriEscaper = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

func sqliteDSN(path string) string {
	return "file:" + uriEscaper.Replace(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Dialect is SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// DB gives the database to packages that add their own tables (password, OTP).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// SetClock replaces time.Now (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Rebind turns ? placeholders into the dialect's ($1, $2 … on PostgreSQL).
func (s *Store) Rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, s: s}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is a transaction with ? placeholders.
type Tx struct {
	tx *sql.Tx
	s  *Store
}

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.Rebind(q), args...)
}

// Query runs a query.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.s.Rebind(q), args...)
}

// QueryRow runs a query of one row.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.Rebind(q), args...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.db.ExecContext(ctx, s.Rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.Rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.Rebind(q), args...)
}

// IsUnique reports whether err is a unique or primary-key violation.
func IsUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var sq *sqlite.Error
	if errors.As(err, &sq) {
		return sq.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sq.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// NewID returns a random 128-bit hex id.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
