//go:build e2e

package e2e

import (
	"path/filepath"
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
