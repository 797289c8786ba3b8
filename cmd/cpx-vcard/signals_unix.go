//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// notifySignals: SIGUSR1 toggles insert/remove; SIGINT and SIGTERM quit.
func notifySignals() (toggle, stop <-chan os.Signal, release func()) {
	t := make(chan os.Signal, 1)
	s := make(chan os.Signal, 1)
	signal.Notify(t, syscall.SIGUSR1)
	signal.Notify(s, os.Interrupt, syscall.SIGTERM)
	return t, s, func() { signal.Stop(t); signal.Stop(s) }
}
