// Package applog is cpx-agent's log file: one per user, rotated by size, in the OS's place for
// an application's logs. It holds what the app logs through slog (steps, errors, timings) and
// never a PIN, password, one-time code or token: callers log message keys and error values that
// carry none (see docs/architecture.md, Conventions), and the e2e sign-in test greps the file.
//
//	Linux   $XDG_STATE_HOME/cpx-agent/cpx-agent.log   (~/.local/state/cpx-agent/)
//	Windows %LOCALAPPDATA%\cpx-agent\logs\cpx-agent.log
//	macOS   ~/Library/Logs/cpx-agent/cpx-agent.log
//
// CPX_AGENT_LOG_DIR overrides the directory (tests, support).
package applog

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// FileName is the current log file; rotated ones are cpx-agent-<time>.log beside it.
const FileName = "cpx-agent.log"

// Rotation: 4 files of at most 2 MB (about a week of a busy workstation's sign-ins).
const (
	maxSizeMB  = 2
	maxBackups = 3
)

// Dir is the log directory of this user on this OS.
func Dir() (string, error) {
	if d := os.Getenv("CPX_AGENT_LOG_DIR"); d != "" {
		return d, nil
	}
	return dir(runtime.GOOS, os.Getenv, os.UserHomeDir)
}

func dir(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "cpx-agent", "logs"), nil
		}
		return "", errors.New("applog: %LOCALAPPDATA% is not set")
	case "darwin":
		h, err := home()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Logs", "cpx-agent"), nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "cpx-agent"), nil
	}
	h, err := home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".local", "state", "cpx-agent"), nil
}

// Open opens (creating it 0700) the log directory's current file for appending, rotated when
// it passes maxSizeMB. The files are 0600: only their user reads them.
func Open(d string) (io.WriteCloser, error) {
	if err := os.MkdirAll(d, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(d, FileName)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	_ = f.Close()
	return &lumberjack.Logger{Filename: p, MaxSize: maxSizeMB, MaxBackups: maxBackups, LocalTime: true}, nil
}

// Files lists the log files of d, newest first (the current one, then the rotated ones).
func Files(d string) ([]string, error) {
	entries, err := os.ReadDir(d)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rotated []string
	var out []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case n == FileName:
			out = append(out, filepath.Join(d, n))
		case strings.HasPrefix(n, "cpx-agent-") && strings.HasSuffix(n, ".log"):
			rotated = append(rotated, filepath.Join(d, n))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(rotated))) // the time in the name sorts them
	return append(out, rotated...), nil
}

// Tail returns at most max bytes from the end of the file at p, starting at a line.
func Tail(p string, max int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := int64(0)
	if st.Size() > max {
		off = st.Size() - max
	}
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if off > 0 {
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return b, nil
}
