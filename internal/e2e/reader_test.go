//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// TestAgentWatchesOnlyItsReader: with CPX_AGENT_READER set (config key "reader", passed to
// card.Options.Reader by cmd/cpx-agent/wire_agent.go), a card in another reader must not take
// the flow: the engine follows the first card it is told of (internal/agent/card.go
// cardInserted). On a workstation with two readers, or on the test rig where other tests'
// cards sit in other readers, the agent would otherwise follow the wrong card and ignore the
// one the user inserts.
func TestAgentWatchesOnlyItsReader(t *testing.T) {
	requireX(t)
	p := startPortal(t)
	demo, err := pki.LoadDemo(filepath.Join(p.Data, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	// Another holder's card, inserted, in the agent/UI reader of the port map (35969).
	other := testrig.StartCard(t, 35969, "cpe2", testrig.WithIssued(demo.Holders["cpe2"]))
	mine := startCard(t, p, "cpe")
	ref := references(t)
	// OpenSC sees every reader, as on a workstation: the agent alone must keep to its own.
	env := append(agentEnv(t, p, mine), "OPENSC_CONF="+testrig.OpenSCConf(t))
	a := startAgent(t, env, "gui", "--lang", "fr")
	a.waitScreen(t, ref, "home", 20*time.Second)
	// The other card must leave the home screen alone.
	until := time.Now().Add(2 * time.Second)
	for time.Now().Before(until) {
		if name := ref[a.band()]; name != "" && name != "home" {
			t.Fatalf("with CPX_AGENT_READER=%q the agent left the home screen for the card in %q (screen %q)",
				mine.Reader, other.Reader, name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := mine.Insert(); err != nil {
		t.Fatal(err)
	}
	a.waitScreen(t, ref, "pin", 20*time.Second)
}

// TestCardPulledWhileReading: the PIN screen shows before the card is read (tries, holder and
// serial are read in the background, Snapshot.Reading). An operator who pulls the card at
// once and puts it back must get the PIN screen again, never the wait screen with "card not
// responding". Seen on 23/11/2026 (bench-e2e's InsertToPIN, which pulled the card as soon as
// the PIN screen showed): on a later insertion, step=pin then, 0.7-2 ms later,
// step=card_present err=card_not_responding, and the window stayed there (the pull cancelled
// the reading, and tokenPort.gaveUp marked the reader stuck on context.Canceled; fixed in
// a1c2f2f).
func TestCardPulledWhileReading(t *testing.T) {
	requireX(t)
	p := startPortal(t)
	c := startCard(t, p, "cpe")
	ref := references(t)
	a := startAgent(t, agentEnv(t, p, c), "gui", "--lang", "fr")
	a.waitScreen(t, ref, "home", 20*time.Second)
	const pulls = 8 // the race is narrow: one run in four passed with 4 pulls
	for i := 1; i <= pulls; i++ {
		t0 := time.Now()
		if err := c.Insert(); err != nil {
			t.Fatal(err)
		}
		a.waitPINClean(t, ref, t0, i)
		c.RemoveAndWait(t) // at once: the background reading is still running
		a.waitScreen(t, ref, "home", 20*time.Second)
	}
	t0 := time.Now()
	if err := c.Insert(); err != nil {
		t.Fatal(err)
	}
	a.waitPINClean(t, ref, t0, pulls+1)
	time.Sleep(1500 * time.Millisecond) // the reading ends; the PIN screen must stay, no error
	if at, line, ok := traceError(a.Stderr.String(), t0); ok {
		t.Fatalf("last insertion (card left in): %s at %s; cpx-agent stderr:\n%s", line, at.Format(time.RFC3339Nano), a.Stderr.String())
	}
	if name := ref[a.band()]; name != "pin" {
		t.Fatalf("last insertion (card left in): screen %q 1.5 s after the PIN screen, want pin; cpx-agent stderr:\n%s", name, a.Stderr.String())
	}
}

// waitPINClean waits for the PIN screen after insertion n (at t0) and returns when it was
// first seen (as waitScreen), failing at once when the state trace shows an error since t0.
func (a *Agent) waitPINClean(t testing.TB, ref screens, t0 time.Time, n int) time.Time {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	prevEnd := time.Now()
	for time.Now().Before(deadline) {
		name := ref[a.band()]
		at := time.Now()
		if name == "pin" {
			a.reads.add(at.Sub(prevEnd))
			return at
		}
		if at, line, ok := traceError(a.Stderr.String(), t0); ok {
			time.Sleep(500 * time.Millisecond) // what the window shows then
			t.Fatalf("insertion %d: %s at %s (screen %q); cpx-agent stderr:\n%s", n, line,
				at.Format(time.RFC3339Nano), ref[a.band()], a.Stderr.String())
		}
		prevEnd = at
		time.Sleep(pollEvery)
	}
	t.Fatalf("insertion %d: no PIN screen within 20 s; cpx-agent stderr:\n%s", n, a.Stderr.String())
	return time.Time{}
}

// traceError finds the first state trace line since t0 with an error other than the card
// having been pulled (err=card_removed is the expected answer to a pull).
func traceError(stderr string, since time.Time) (time.Time, string, bool) {
	for _, l := range strings.Split(stderr, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[1], "step=") || f[3] == "err=-" || f[3] == "err=card_removed" {
			continue
		}
		if at, err := time.Parse(time.RFC3339Nano, f[0]); err == nil && !at.Before(since) {
			return at, strings.Join(f[1:], " "), true
		}
	}
	return time.Time{}, "", false
}
