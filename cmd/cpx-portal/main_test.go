package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
)

// TestDevSetupIdempotent: dev mode makes the PKI, server certificate and demo accounts once;
// a second start changes nothing and the demo holders' national ids are enrolled.
func TestDevSetupIdempotent(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Load("", []string{"CPX_PORTAL_DEV=true", "CPX_PORTAL_DATA_DIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c1, err := devSetup(ctx, c, st, log)
	if err != nil {
		t.Fatal(err)
	}
	cert1, _ := os.ReadFile(c1.TLSCert)
	c2, err := devSetup(ctx, c, st, log)
	if err != nil {
		t.Fatalf("second dev start: %v", err)
	}
	cert2, _ := os.ReadFile(c2.TLSCert)
	if len(cert1) == 0 || !bytes.Equal(cert1, cert2) {
		t.Fatal("server certificate missing or remade at the second start")
	}
	for _, f := range []string{c1.ClientCA, c1.ClientCRL, c1.TLSKey, filepath.Join(dir, "pki", pki.RootFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("dev file: %v", err)
		}
	}
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(pki.DemoHolders()) {
		t.Fatalf("%d users after two dev starts, want %d", len(users), len(pki.DemoHolders()))
	}
	for key, h := range pki.DemoHolders() {
		u, err := st.UserByNationalID(ctx, h.NationalID)
		if err != nil {
			t.Errorf("demo holder %s not enrolled: %v", key, err)
			continue
		}
		ps, _ := st.Profiles(ctx, u.ID)
		if len(ps) != 1 || ps[0].EntityID != devEntity {
			t.Errorf("demo holder %s profiles %+v", key, ps)
		}
	}
	ph, _ := st.Phones(ctx, devEntity)
	if len(ph) != len(devPhones) {
		t.Errorf("%d demo phones", len(ph))
	}
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CPX_PORTAL_DATA_DIR", dir)
	t.Setenv("CPX_PORTAL_DEV", "true")
	var out, errb bytes.Buffer
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"admin", "user"}, 2, "usage"},
		{[]string{"admin", "user", "fly"}, 2, "unknown action"},
		{[]string{"admin", "entity", "list"}, 1, "lancez d'abord « cpx-portal migrate »"},
		{[]string{"serve", "--config", filepath.Join(dir, "missing.json")}, 2, "config"},
	}
	for _, tc := range cases {
		out.Reset()
		errb.Reset()
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "portal.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("admin created a database: %v", err)
	}
	if code := run([]string{"admin", "entity", "list"}, &out, &errb); !strings.Contains(errb.String(), filepath.Join(dir, "portal.db")) {
		t.Fatalf("refusal does not name the database: exit %d %s", code, errb.String())
	}
	if code := run([]string{"migrate"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "schema version") {
		t.Fatalf("migrate: %d %s %s", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run([]string{"admin", "entity", "add", "only-id"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "want 2 argument") {
		t.Fatalf("entity add only-id: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"admin", "profile", "list", "nobody"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not found") {
		t.Fatalf("profile list nobody: %d %s", code, errb.String())
	}
	if code := run([]string{"admin", "entity", "add", "samu01", "SAMU 01"}, &out, &errb); code != 0 {
		t.Fatalf("entity add: %s", errb.String())
	}
	out.Reset()
	if code := run([]string{"admin", "entity", "list"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "SAMU 01") {
		t.Fatalf("entity list: %s", out.String())
	}
}
