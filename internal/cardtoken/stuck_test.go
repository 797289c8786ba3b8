//go:build stuckcard

package cardtoken

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// stuckPort is the vpcd port of the unresponsive-card tests (docs/architecture.md).
const stuckPort = 35972

// stuckDeadline is the identify deadline in these tests (10 s in the product).
const stuckDeadline = 3 * time.Second

// TestPortStuckCard runs stuckPortScenario in a child process (testrig.RunInChild): OpenSC
// is initialised once per process, and a stuck call holds its global lock until the card is
// pulled.
func TestPortStuckCard(t *testing.T) {
	if os.Getenv(testrig.ChildEnv) == "port" {
		stuckPortScenario(t)
		return
	}
	testrig.RunInChild(t, "TestPortStuckCard", "port")
}

// stuckPortScenario: a real card that stops answering (vpcd + pcscd + OpenSC): the port
// reports card_not_responding within the deadline while the PKCS#11 call stays stuck; Drop and
// Close return at once; once the card is pulled the stuck call returns, and the reinserted
// card is read again.
func stuckPortScenario(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	vc, reader := testrig.StartStuckCard(t, stuckPort, &hang)
	module := testrig.OpenSCModule(t)
	p := New(Options{Modules: []string{module}, IdentifyTimeout: stuckDeadline})
	ctx := context.Background()

	wantNotResponding(t, "tries left", testrig.Within(t, "tries left on a hung card", stuckDeadline+2*time.Second, func() error {
		_, err := p.TriesLeft(ctx, reader)
		return err
	}))
	if !vc.Hung() {
		t.Fatal("the card never saw an APDU: the error is not the stuck card's")
	}
	wantNotResponding(t, "holder name", testrig.Within(t, "holder name while stuck", 100*time.Millisecond, func() error {
		_, err := p.HolderName(ctx, reader)
		return err
	}))
	testrig.Within(t, "Drop while the PKCS#11 call is stuck", 100*time.Millisecond, func() error { p.Drop(reader); return nil })
	testrig.Within(t, "Close while the PKCS#11 call is stuck", CloseWait+500*time.Millisecond, func() error { p.Close(); return nil })

	t0 := time.Now()
	vc.RemoveAndWait(t) // the stuck transmit fails: OpenSC returns and releases its lock
	t.Logf("pull → reader empty: %v", time.Since(t0))
	hang.Store(false)
	t0 = time.Now()
	vc.InsertAndWait(t)
	t.Logf("insert → card seen: %v", time.Since(t0))
	t0 = time.Now()
	q := New(Options{Modules: []string{module}})
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
