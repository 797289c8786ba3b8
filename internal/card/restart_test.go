//go:build linux && pcscdrestart

package card

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This test kills and restarts the system's pcscd: it is built only with -tags pcscdrestart
// and run alone (`make test` runs it after everything else: .ci/mk/card.mk).

const (
	pcscdPID    = "/run/pcscd/pcscd.pid"
	pcscdSocket = "/run/pcscd/pcscd.comm"
)

func TestPcscdRestart(t *testing.T) {
	card := startCard(t, portA, "cps4")
	insert(t, card)
	t.Cleanup(func() { startPcscd(t) }) // whatever happens, leave pcscd running
	ctx, cancel := context.WithCancel(context.Background())
	ch := NewMonitor(Options{Reader: readerA, MaxBackoff: time.Second}).Events(ctx)
	defer stop(cancel, ch)
	expect(t, ch, "reader-added:"+readerA)
	if e := nextWithin(t, ch, 5*time.Second); e.Kind != CardInserted || e.Card.Generation != "CPS4" {
		t.Fatalf("got %s, want the CPS4 card inserted", e)
	}

	stopPcscd(t)
	evs := make([]Event, 0, 3)
	for range 3 {
		evs = append(evs, nextWithin(t, ch, 5*time.Second))
	}
	if got := kinds(evs); got != "service-down: card-removed:"+readerA+" reader-removed:"+readerA {
		t.Fatalf("after killing pcscd: %q", got)
	}
	if !errors.Is(evs[0].Err, ErrNoService) {
		t.Errorf("service-down error %v, want ErrNoService", evs[0].Err)
	}
	quiet(t, ch, 1500*time.Millisecond) // one service-down, no flapping while pcscd is away

	startPcscd(t)
	// The virtual card redials the new vpcd listener: the monitor sees the card again.
	want := []EventKind{ServiceUp, ReaderAdded, CardInserted}
	for _, k := range want {
		e := nextWithin(t, ch, 15*time.Second)
		if e.Kind != k {
			t.Fatalf("after restarting pcscd: got %s, want %s", e, k)
		}
		if k == CardInserted && (!bytes.Equal(e.ATR, atrOf(t, "cps4")) || e.Reader != readerA) {
			t.Fatalf("card seen again as %s", e)
		}
	}
	quiet(t, ch, time.Second)
}

// stopPcscd ends the pcscd whose pid is in pcscd.pid (SIGTERM) and waits for it to exit.
func stopPcscd(t *testing.T) {
	t.Helper()
	raw, err := os.ReadFile(pcscdPID)
	if err != nil {
		t.Fatalf("pcscd pid file: %v (is pcscd running? .ci/rig.sh up)", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimRight(string(raw), "\x00")))
	if err != nil || pid <= 1 {
		t.Fatalf("pcscd pid file holds %q", raw)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("stop pcscd (pid %d): %v", pid, err)
	}
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatalf("pcscd (pid %d) still running 5s after SIGTERM", pid)
	}
	os.Remove(pcscdSocket)
	os.Remove(pcscdPID)
}

// startPcscd starts pcscd as .ci/rig.sh does (it daemonises) unless it runs, and waits for
// its socket.
func startPcscd(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(pcscdSocket); err == nil {
		if c, err := establishContext(); err == nil {
			c.Release()
			return
		}
	}
	if err := os.MkdirAll("/run/pcscd", 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pcscd").CombinedOutput(); err != nil {
		t.Fatalf("start pcscd: %v: %s", err, out)
	}
	for range 100 {
		if _, err := os.Stat(pcscdSocket); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pcscd started but %s did not appear within 5s", pcscdSocket)
}
