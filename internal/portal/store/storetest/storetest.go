// Package storetest opens scratch portal databases for tests: a SQLite file in a temporary
// directory, or a fresh PostgreSQL database (cpx_portal_<random>) created through
// CPX_TEST_PG_DSN and dropped after the test. A missing PostgreSQL fails the test.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// Dialects lists the dialects every storage test runs on.
var Dialects = []string{store.SQLite, store.Postgres}

// Open returns a migrated scratch store of dialect, closed (and dropped) after the test.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	dsn, dir := "", t.TempDir()
	if dialect == store.Postgres {
		dsn = PostgresDSN(t)
	}
	s, err := store.Open(context.Background(), dsn, dir)
	if err != nil {
		t.Fatalf("open %s store: %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return s
}

// PostgresDSN creates a scratch database and returns its DSN; it is dropped after the test.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CPX_TEST_PG_DSN")
	if base == "" {
		t.Fatal("CPX_TEST_PG_DSN is not set: run the tests inside `.ci/rig.sh run` (PostgreSQL on 127.0.0.1:5432)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CPX_TEST_PG_DSN: %v", err)
	}
	name := "cpx_portal_" + store.NewID()[:12]
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("postgres: create database (is PostgreSQL running? `.ci/rig.sh up`): %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}
