package applog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirPerOS(t *testing.T) {
	home := func() (string, error) { return "/home/arm", nil }
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", nil, "/home/arm/.local/state/cpx-agent"},
		{"linux", map[string]string{"XDG_STATE_HOME": "/var/state/arm"}, "/var/state/arm/cpx-agent"},
		{"linux", map[string]string{"XDG_STATE_HOME": "relative"}, "/home/arm/.local/state/cpx-agent"},
		{"darwin", nil, "/home/arm/Library/Logs/cpx-agent"},
		{"windows", map[string]string{"LOCALAPPDATA": "/c/Users/arm/AppData/Local"}, "/c/Users/arm/AppData/Local/cpx-agent/logs"},
	}
	for _, c := range cases {
		got, err := dir(c.goos, env(c.env), home)
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("dir(%s, %v) = %q, %v; want %q", c.goos, c.env, got, err, c.want)
		}
	}
	if _, err := dir("windows", env(nil), home); err == nil {
		t.Error("windows without LOCALAPPDATA: want an error")
	}
}

func TestOpenRotateFilesTail(t *testing.T) {
	d := filepath.Join(t.TempDir(), "logs")
	w, err := Open(d)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 1023) + "\n"
	for i := 0; i < (maxSizeMB<<10)+10; i++ { // a bit more than one file
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Write([]byte("last line\n")); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	st, err := os.Stat(d)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("log dir mode %v, %v; want 0700", st.Mode().Perm(), err)
	}
	files, err := Files(d)
	if err != nil || len(files) != 2 || filepath.Base(files[0]) != FileName {
		t.Fatalf("Files = %q, %v; want the current file then one rotated file", files, err)
	}
	fi, _ := os.Stat(files[0])
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode %v, want 0600", fi.Mode().Perm())
	}
	tail, err := Tail(files[1], 3000)
	if err != nil || len(tail) > 3000 || !bytes.HasPrefix(tail, []byte("xxx")) || !bytes.HasSuffix(tail, []byte("\n")) {
		t.Fatalf("Tail: %d bytes, %v", len(tail), err)
	}
	cur, _ := Tail(files[0], 1<<20)
	if !strings.HasSuffix(string(cur), "last line\n") {
		t.Fatalf("current file ends %q", cur[max(0, len(cur)-20):])
	}
	if got, err := Files(filepath.Join(d, "none")); got != nil || err != nil {
		t.Fatalf("missing dir: %q, %v", got, err)
	}
	if _, err := Tail(filepath.Join(d, "none"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Tail missing: %v", err)
	}
}
