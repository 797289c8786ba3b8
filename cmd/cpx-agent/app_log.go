package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/cpx-agent/cpx-agent/internal/applog"
	"github.com/cpx-agent/cpx-agent/internal/buildinfo"
)

// newAppLog is the desktop app's logger: stderr at Info (a terminal, the e2e tests) and the
// user's rotated log file (internal/applog) at Debug, which adds each step of the flow — what
// support reads back with `doctor --bundle`. A log file that cannot be opened is said on stderr
// and the app goes on without it.
func newAppLog(stderr io.Writer) (*slog.Logger, func()) {
	h := []slog.Handler{slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})}
	closeFile := func() {}
	if d, err := applog.Dir(); err != nil {
		fmt.Fprintf(stderr, "cpx-agent: no log file: %v\n", err)
	} else if f, err := applog.Open(d); err != nil {
		fmt.Fprintf(stderr, "cpx-agent: no log file in %s: %v\n", d, err)
	} else {
		h = append(h, slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
		closeFile = func() { _ = f.Close() }
	}
	log := slog.New(slog.NewMultiHandler(h...))
	log.Info("cpx-agent started", "version", buildinfo.Version(), "commit", buildinfo.Commit())
	return log, closeFile
}
