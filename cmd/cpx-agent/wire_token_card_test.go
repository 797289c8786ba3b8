//go:build stuckcard

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// stuckPort is the vpcd port of the unresponsive-card tests (docs/architecture.md).
const stuckPort = 35972

// stuckDeadline is the identify deadline in these tests (10 s in the product).
const stuckDeadline = 3 * time.Second

// startStuckCard starts a virtual card that stops answering its first APDU while *hang is
// true, with OpenSC restricted to its reader (so other readers of the shared rig stay out).
func startStuckCard(t *testing.T, hang *atomic.Bool) (*testrig.Card, string) {
	t.Helper()
	testrig.RequirePCSCD(t)
	reader := testrig.ReaderForPort(stuckPort)
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, reader))
	vc := testrig.StartCard(t, stuckPort, "cpe", testrig.WithVCardConfig(func(c *vcard.Config) {
		c.Stall = func([]byte) bool { return hang.Load() }
	}))
	return vc, reader
}

// stuckHelperEnv selects the scenario TestStuckCardHelper runs in a child process.
const stuckHelperEnv = "CPX_TEST_STUCK_CARD"

// runStuck runs a stuck-card scenario in a child test process: OpenSC is initialised once per
// process with the OPENSC_CONF of that moment (and other tests leave it initialised), and a
// stuck call holds OpenSC's global lock until the card is pulled; a child gets its own.
func runStuck(t *testing.T, scenario string) {
	testrig.RequirePCSCD(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStuckCardHelper$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), stuckHelperEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "wire_token_card_test.go") {
			t.Log(strings.TrimSpace(line))
		}
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestStuckCardHelper") {
		t.Fatalf("stuck-card scenario %q: %v\n%s", scenario, err, out)
	}
}

func TestTokenPortStuckCard(t *testing.T) { runStuck(t, "port") }

func TestAgentStuckCard(t *testing.T) { runStuck(t, "agent") }

// TestStuckCardHelper is the child process of runStuck (nothing to do otherwise).
func TestStuckCardHelper(t *testing.T) {
	switch os.Getenv(stuckHelperEnv) {
	case "port":
		stuckTokenPort(t)
	case "agent":
		stuckAgent(t)
	}
}

// stuckTokenPort: a real card that stops answering (vpcd + pcscd + OpenSC): the port
// reports card_not_responding within the deadline while the PKCS#11 call stays stuck; drop and
// Close return at once; once the card is pulled the stuck call returns, and the reinserted
// card is read again.
func stuckTokenPort(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	vc, reader := startStuckCard(t, &hang)
	module := testrig.OpenSCModule(t)
	p := newTokenPort([]string{module}, quiet)
	p.identifyTimeout = stuckDeadline
	ctx := context.Background()

	wantNotResponding(t, "tries left", within(t, "tries left on a hung card", stuckDeadline+2*time.Second, func() error {
		_, err := p.TriesLeft(ctx, reader)
		return err
	}))
	if !vc.Hung() {
		t.Fatal("the card never saw an APDU: the error is not the stuck card's")
	}
	wantNotResponding(t, "holder name", within(t, "holder name while stuck", 100*time.Millisecond, func() error {
		_, err := p.HolderName(ctx, reader)
		return err
	}))
	within(t, "drop while the PKCS#11 call is stuck", 100*time.Millisecond, func() error { p.drop(reader); return nil })
	within(t, "Close while the PKCS#11 call is stuck", closeWait+500*time.Millisecond, func() error { p.Close(); return nil })

	t0 := time.Now()
	vc.RemoveAndWait(t) // the stuck transmit fails: OpenSC returns and releases its lock
	t.Logf("pull → reader empty: %v", time.Since(t0))
	hang.Store(false)
	t0 = time.Now()
	vc.InsertAndWait(t)
	t.Logf("insert → card seen: %v", time.Since(t0))
	t0 = time.Now()
	q := newTokenPort([]string{module}, quiet)
	defer q.Close()
	var n int
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if n, err = q.TriesLeft(ctx, reader); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || n != 3 {
		t.Fatalf("tries left on the card reinserted after the hang: %d, %v", n, err)
	}
	t.Logf("reinserted card read again after %v", time.Since(t0))
}

// stuckAgent: the flow engine on a real card that stops answering leaves « Lecture de
// votre carte… » with card_not_responding within the deadline, still handles the card's
// removal, and stops at once with the adapters closed.
func stuckAgent(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	vc, reader := startStuckCard(t, &hang)
	tokens := newTokenPort([]string{testrig.OpenSCModule(t)}, quiet)
	tokens.identifyTimeout = stuckDeadline
	pc, err := client.New("https://127.0.0.1:9", client.Options{}) // never reached: no sign-in
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	mon := &cardPort{m: card.NewMonitor(card.Options{Reader: reader, Logger: quiet}), removed: tokens.drop}
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
	within(t, "engine stop", 5*time.Second, func() error { <-done; return nil })
	within(t, "adapters close", closeWait+500*time.Millisecond, func() error { tokens.Close(); return nil })
	if _, err := tokens.TriesLeft(context.Background(), reader); !errors.Is(err, errPortClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}
