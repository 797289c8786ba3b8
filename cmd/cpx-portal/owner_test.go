//go:build unix

package main

import (
	"os"
	"strings"
	"testing"
)

// As root, migrate refuses a data directory owned by the service user; as its owner it is fine.
func TestCheckDataDirOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (the CI runs as root): it checks what root may not do")
	}
	dir := t.TempDir()
	if err := checkDataDirOwner("migrate", dir, ""); err != nil {
		t.Fatalf("root's own directory: %v", err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	err := checkDataDirOwner("migrate", dir, "")
	if err == nil || !strings.Contains(err.Error(), "sudo -u") || !strings.Contains(err.Error(), "cpx-portal migrate") {
		t.Fatalf("err = %v", err)
	}
	if err := checkDataDirOwner("migrate", dir, "postgres://db/portal"); err != nil {
		t.Fatalf("a PostgreSQL DSN does not write the directory: %v", err)
	}
}
