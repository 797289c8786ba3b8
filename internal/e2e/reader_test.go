//go:build e2e

package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// TestAgentWatchesOnlyItsReader: with CPX_AGENT_READER set, a card in another reader must not
// take the flow. Today the agent follows the first card of ANY reader (internal/agent/card.go
// cardInserted: "the flow follows the first card; a second reader is ignored") and
// cmd/cpx-agent/wire_agent.go builds card.NewMonitor(card.Options{Logger: log}) without a
// reader, so this test FAILS until the workstation config gets a reader key
// (internal/config: KeyReader "reader" → Config.Reader, env CPX_AGENT_READER) passed as
// card.Options{Reader: cfg.Reader}. On a workstation with two readers (keyboard + laptop), or
// on the test rig where other tests' cards sit in other readers, the agent otherwise follows
// the wrong card and ignores the one the user inserts.
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
