//go:build !unix

package main

import (
	"os"
	"os/signal"
)

// notifySignals: no SIGUSR1 here (use stdin insert/remove); Ctrl-C quits.
func notifySignals() (toggle, stop <-chan os.Signal, release func()) {
	s := make(chan os.Signal, 1)
	signal.Notify(s, os.Interrupt)
	return nil, s, func() { signal.Stop(s) }
}
