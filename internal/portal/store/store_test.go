package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// fixture enrolls an entity with two phones and two users with a profile each.
type fixture struct {
	s          *store.Store
	alice, bob store.User
	pa, pb     store.Profile
}

func newFixture(t *testing.T, dialect string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{s: storetest.Open(t, dialect)}
	must(t, f.s.AddEntity(ctx, store.Entity{ID: "samu75", Name: "SAMU 75"}))
	must(t, f.s.AddEntity(ctx, store.Entity{ID: "samu92", Name: "SAMU 92"}))
	n, err := f.s.ImportPhones(ctx, strings.NewReader("entity,number,label,location\nsamu75,1001,Poste 1,Salle A\nsamu75,1002,Poste 2,Salle A\nsamu92,2001,,\n"))
	must(t, err)
	if n != 3 {
		t.Fatalf("imported %d phones, want 3", n)
	}
	f.alice = store.User{NationalID: "810000000001", Identifiant: "alice.martin", GivenName: "Alice", FamilyName: "MARTIN", Habilitation: true}
	f.pa = store.Profile{EntityID: "samu75", Label: "ARM"}
	must(t, f.s.AddUser(ctx, &f.alice, []store.Profile{f.pa}))
	ps, err := f.s.Profiles(ctx, f.alice.ID)
	must(t, err)
	f.pa = ps[0]
	f.bob = store.User{NationalID: "810000000002", Identifiant: "bob.durand", GivenName: "Bob", FamilyName: "DURAND", Habilitation: true}
	must(t, f.s.AddUser(ctx, &f.bob, []store.Profile{{EntityID: "samu75", Label: "ARM"}}))
	ps, err = f.s.Profiles(ctx, f.bob.ID)
	must(t, err)
	f.pb = ps[0]
	return f
}

func (f *fixture) open(t *testing.T, u store.User, ws string, idle time.Duration) store.Session {
	t.Helper()
	sess, err := f.s.CreateSession(context.Background(), store.NewSession{TokenHash: store.NewID(), UserID: u.ID,
		Method: "card", Workstation: ws, Idle: idle, Max: time.Hour}, store.AuditEntry{Event: store.AuditSignIn})
	must(t, err)
	return sess
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func forEachDialect(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, d))
		})
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		applied, err := f.s.Migrate(context.Background())
		must(t, err)
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
		v, err := f.s.SchemaVersion(context.Background())
		must(t, err)
		if v < 2 {
			t.Fatalf("schema version %d, want >= 2", v)
		}
	})
}

func TestEnrollmentIsAllOrNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := store.User{NationalID: "810000000009", Identifiant: "carole.petit", GivenName: "Carole", FamilyName: "PETIT"}
		err := f.s.AddUser(ctx, &u, []store.Profile{{EntityID: "samu75", Label: "ARM"}, {EntityID: "nowhere", Label: "ARM"}})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AddUser with an unknown entity: %v, want ErrNotFound", err)
		}
		if _, err := f.s.UserByIdentifiant(ctx, "carole.petit"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("half-enrolled user left behind: %v", err)
		}
		dup := store.User{NationalID: f.alice.NationalID, Identifiant: "other", GivenName: "X", FamilyName: "Y"}
		if err := f.s.AddUser(ctx, &dup, nil); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate national id: %v, want ErrConflict", err)
		}
	})
}

func TestBadPhonesCSVChangesNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		_, err := f.s.ImportPhones(ctx, strings.NewReader("samu75,1003\nunknown,9\n"))
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("import with unknown entity: %v", err)
		}
		if _, err := f.s.ImportPhones(ctx, strings.NewReader("samu75\n")); err == nil {
			t.Fatal("a line without a number was accepted")
		}
		ph, err := f.s.Phones(ctx, "samu75")
		must(t, err)
		if len(ph) != 2 {
			t.Fatalf("samu75 has %d phones after failed imports, want 2", len(ph))
		}
	})
}

// TestSQLitePathWithURICharacters: a data directory with "#", "?" or "%" keeps its own file
// (and its pragmas): two such directories never share a database.
func TestSQLitePathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	for _, name := range []string{"a#1", "a#2", "b?x=1", "c%41"} {
		dir := filepath.Join(base, name)
		s, err := store.Open(ctx, "", dir)
		must(t, err)
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		must(t, s.AddEntity(ctx, store.Entity{ID: "samu99", Name: name}))
		var fk int
		must(t, s.DB().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		s.Close()
		if fk != 1 {
			t.Errorf("%s: foreign_keys pragma lost", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "portal.db")); err != nil {
			t.Errorf("%s: database not in its directory: %v", name, err)
		}
	}
}
