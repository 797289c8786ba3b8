package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
)

// Reconnection of --watch's event stream (variables so tests can shorten them).
var (
	watchBackoffMin = 500 * time.Millisecond
	watchBackoffMax = 10 * time.Second
	watchGiveUp     = 5 * time.Minute // portal unreachable this long: give up, exit 5
)

// watch prints the session's events until the session ends. When the stream breaks (portal
// restarted, network cut) it reconnects with a bounded backoff; when the portal says the
// session is gone, or stays unreachable for watchGiveUp, it exits exitSessionEnded with a
// French message. SIGINT/SIGTERM (ctx) signs out and exits 0.
func watch(ctx context.Context, cmd string, pc *client.Client, tok string, f loginCardFlags, stdout, stderr io.Writer) int {
	backoff := watchBackoffMin
	var down time.Time // when the stream was lost; zero while connected
	for {
		events, err := pc.Events(ctx, tok)
		if err == nil {
			backoff, down = watchBackoffMin, time.Time{}
			if final, code := printEvents(events, f.asJSON, stdout, stderr, cmd); final {
				return code
			}
		} else if sessionGone(err) {
			return reportEnded(stdout, stderr, cmd, f, err)
		}
		if ctx.Err() != nil {
			signOut(pc, tok) // interrupted: free the phone at once
			return exitOK
		}
		if down.IsZero() {
			down = time.Now()
			fmt.Fprintln(stderr, "Flux d'événements du portail interrompu : reconnexion…")
		} else if time.Since(down) > watchGiveUp {
			return reportEnded(stdout, stderr, cmd, f, &cliError{Code: codeStreamLost, exit: exitSessionEnded,
				Message: fmt.Sprintf("Le portail (%s) est injoignable depuis %s : surveillance arrêtée, la session n'est plus suivie.",
					f.portal, watchGiveUp.Round(time.Second))})
		}
		select {
		case <-ctx.Done():
			signOut(pc, tok)
			return exitOK
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, watchBackoffMax)
	}
}

// printEvents prints events until the channel closes. final is true after the session's last
// event (expired, revoked, signed out); code is then the exit code.
func printEvents(events <-chan api.Event, asJSON bool, stdout, stderr io.Writer, cmd string) (final bool, code int) {
	for e := range events {
		if asJSON {
			_ = json.NewEncoder(stdout).Encode(map[string]any{"event": e})
		} else {
			fmt.Fprintln(stdout, frenchEvent(e))
		}
		switch e.Type {
		case api.EventExpired, api.EventRevoked:
			fmt.Fprintf(stderr, "cpx-agent %s: %s\n", cmd, portalMessages[e.Type])
			return true, exitSessionEnded
		case api.EventSignedOut:
			return true, exitOK
		}
	}
	return false, exitOK
}

// sessionGone: the portal answered that the token no longer opens a session.
func sessionGone(err error) bool {
	switch api.CodeOf(err) {
	case api.CodeSessionExpired, api.CodeSessionRevoked, api.CodeUnauthenticated:
		return true
	}
	return false
}

func reportEnded(stdout, stderr io.Writer, cmd string, f loginCardFlags, err error) int {
	report(stdout, stderr, cmd, f.asJSON, f.portal, err)
	return exitSessionEnded
}
