//go:build stuckcard

package main

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/cardtoken"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// stuckPort is the vpcd port of the unresponsive-card tests (docs/architecture.md).
const stuckPort = 35972

// stuckDeadline is the identify deadline in these tests (10 s in the product).
const stuckDeadline = 3 * time.Second

// TestAgentStuckCard runs stuckAgent in a child process (testrig.RunInChild): OpenSC is
// initialised once per process, and a stuck call holds its global lock until the card is
// pulled. The port alone on a stuck card is internal/cardtoken's TestPortStuckCard.
func TestAgentStuckCard(t *testing.T) {
	if os.Getenv(testrig.ChildEnv) == "agent" {
		stuckAgent(t)
		return
	}
	testrig.RunInChild(t, "TestAgentStuckCard", "agent")
}

// stuckAgent: the flow engine on a real card that stops answering leaves « Lecture de
// votre carte… » with card_not_responding within the deadline, still handles the card's
// removal, and stops at once with the adapters closed.
func stuckAgent(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	vc, reader := testrig.StartStuckCard(t, stuckPort, &hang)
	tokens := cardtoken.New(cardtoken.Options{Modules: []string{testrig.OpenSCModule(t)}, Logger: quiet,
		IdentifyTimeout: stuckDeadline})
	pc, err := client.New("https://127.0.0.1:9", client.Options{}) // never reached: no sign-in
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	mon := &cardPort{m: card.NewMonitor(card.Options{Reader: reader, Logger: quiet}), removed: tokens.Drop}
	e := agent.New(agent.Config{Workstation: "ws-stuck"}, agent.Deps{Cards: mon, Token: tokens,
		Portal: pc, Keys: keystore.NewMemory()})
	snaps := e.Notify()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()
	next := func(what string, d time.Duration, ok func(agent.Snapshot) bool) agent.Snapshot {
		t.Helper()
		timeout := time.After(d)
		var last agent.Snapshot
		for {
			select {
			case s := <-snaps:
				if last = s; ok(s) {
					return s
				}
			case <-timeout:
				t.Fatalf("no %s within %v; last step %v busy %v err %v", what, d, last.Step, last.Busy, last.Err)
			}
		}
	}

	// The PIN screen shows at once; the card is read behind it (Snapshot.Reading).
	next("card reading", 20*time.Second, func(s agent.Snapshot) bool {
		return s.Step == agent.StepPIN && s.Reading
	})
	t0 := time.Now()
	s := next("card error", stuckDeadline+3*time.Second, func(s agent.Snapshot) bool { return !s.Reading && !s.Busy })
	if s.Step != agent.StepCardPresent || agent.MessageKey(s.Err) != agent.KeyCardNotResponding {
		t.Fatalf("after the hung read: step %v err %v (key %q), want card_present card_not_responding", s.Step, s.Err, agent.MessageKey(s.Err))
	}
	t.Logf("card reading → card_not_responding after %v (deadline %v)", time.Since(t0), stuckDeadline)
	if !vc.Hung() {
		t.Fatal("the card never saw an APDU: the error is not the stuck card's")
	}

	if err := vc.Remove(); err != nil { // the monitor's removal reaches the engine
		t.Fatal(err)
	}
	next("home after removal", 15*time.Second, func(s agent.Snapshot) bool { return s.Step == agent.StepWaitingCard })

	cancel()
	stopped = true
	testrig.Within(t, "engine stop", 5*time.Second, func() error { <-done; return nil })
	testrig.Within(t, "adapters close", cardtoken.CloseWait+500*time.Millisecond, func() error { tokens.Close(); return nil })
	if _, err := tokens.TriesLeft(context.Background(), reader); !errors.Is(err, cardtoken.ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}
