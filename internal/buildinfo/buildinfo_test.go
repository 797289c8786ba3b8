package buildinfo

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	i := Info{Program: "cpx-agent", Version: "0.2.318", Commit: "317e564", Go: "go1.24", OS: "linux", Arch: "amd64"}
	if got, want := i.String(), "cpx-agent 0.2.318 (commit 317e564, go1.24, linux/amd64)"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	i.Commit = ""
	if got := i.String(); strings.Contains(got, "commit") {
		t.Fatalf("String() without commit = %q", got)
	}
}

func TestForDefaults(t *testing.T) {
	if v := For("x").Version; v != Version() || v == "" {
		t.Fatalf("For().Version = %q, Version() = %q", v, Version())
	}
}
