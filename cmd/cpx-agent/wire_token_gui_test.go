//go:build stuckcard

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cardtoken"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// TestGUIStuckCardExits runs `cpx-agent gui` (real Fyne window under Xvfb, real engine, OpenSC)
// on a card that stops answering: the trace shows card_not_responding within the product's
// identify deadline, then SIGTERM ends the process within a bounded time although the
// PKCS#11 call is still stuck (QA S1-1: it used to hang forever in tokenPort.closeAll).
func TestGUIStuckCardExits(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run the tests inside .ci/rig.sh run (Xvfb)")
	}
	var hang atomic.Bool
	hang.Store(true)
	vc, reader := testrig.StartStuckCard(t, stuckPort, &hang) // sets OPENSC_CONF for the child too
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestGUITraceHelperProcess$")
	cmd.Env = append(os.Environ(), "CPX_GUI_HELPER_ARGS=gui --lang fr", traceEnv+"="+path,
		"HOME="+dir, "XDG_CONFIG_HOME="+dir, "CPX_AGENT_PORTAL_URL=https://127.0.0.1:9",
		"CPX_AGENT_READER="+reader, "CPX_AGENT_PKCS11_MODULE="+testrig.OpenSCModule(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	waitTrace := func(suffix string, d time.Duration) time.Time {
		t.Helper()
		for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
			b, _ := os.ReadFile(path)
			if strings.Contains(string(b), suffix) {
				return time.Now()
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the trace after %v:\n%s\nstderr:\n%s", suffix, d, b, stderr.String())
			}
		}
	}
	// The PIN screen shows at once, the card being read behind it.
	busy := waitTrace(" step=pin busy=false err=-", 30*time.Second)
	shown := waitTrace(" step=card_present busy=false err=card_not_responding", cardtoken.IdentifyTimeout+5*time.Second)
	t.Logf("PIN screen (card read behind it) → card_not_responding: %v (deadline %v)", shown.Sub(busy), cardtoken.IdentifyTimeout)
	if !vc.Hung() {
		t.Fatal("the card never saw an APDU: the error is not the stuck card's")
	}
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred clean-up
		t.Logf("SIGTERM → exit with the PKCS#11 call still stuck: %v (%v)", time.Since(t0), err)
		// Fyne quits on SIGTERM when its driver catches it, else the default action ends the
		// process; either is an exit. Any other failure is not.
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && strings.Contains(err.Error(), "terminated")) {
			t.Fatalf("gui exit after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("gui still running 10 s after SIGTERM with a stuck card\nstderr:\n%s", stderr.String())
	}
}
