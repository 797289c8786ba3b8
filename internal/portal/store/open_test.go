package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestOpenExistingSQLite: a missing file or directory is ErrNoDatabase naming the file and
// nothing is created; Open creates portal.db 0600 in a 0700 directory; once migrated,
// OpenExisting opens it.
func TestOpenExistingSQLite(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	_, err := store.OpenExisting(ctx, "", dir)
	if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), filepath.Join(dir, "portal.db")) {
		t.Fatalf("missing directory: %v, want ErrNoDatabase naming the file", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created %s (%v)", dir, err)
	}
	os.Mkdir(dir, 0o700)
	if _, err := store.OpenExisting(ctx, "", dir); !errors.Is(err, store.ErrNoDatabase) {
		t.Fatalf("empty directory: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("OpenExisting left %d file(s) in an empty directory", len(ents))
	}
	st, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "portal.db"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("portal.db mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	st.Close()
	if _, err := store.OpenExisting(ctx, "", dir); !errors.Is(err, store.ErrNoDatabase) {
		t.Fatalf("never-migrated file: %v, want ErrNoDatabase", err)
	}
	st, _ = store.Open(ctx, "", dir)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.OpenExisting(ctx, "", dir)
	if err != nil {
		t.Fatalf("migrated database: %v", err)
	}
	st.Close()
}

// TestOpenExistingPostgres: a database without the schema is ErrNoDatabase (password hidden
// in the message); migrated, it opens.
func TestOpenExistingPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	_, err := store.OpenExisting(ctx, dsn, "")
	if !errors.Is(err, store.ErrNoDatabase) {
		t.Fatalf("unmigrated postgres: %v, want ErrNoDatabase", err)
	}
	if w := store.Where("postgres://portal:s3cret@db/portal", ""); strings.Contains(w, "s3cret") {
		t.Fatalf("Where shows the password: %s", w)
	}
	st, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.OpenExisting(ctx, dsn, "")
	if err != nil {
		t.Fatalf("migrated postgres: %v", err)
	}
	st.Close()
}
