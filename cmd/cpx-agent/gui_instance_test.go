package main

import (
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// The first agent claims the session; a second one gets it raised instead of starting.
func TestSingleInstance(t *testing.T) {
	addr := "@cpx-agent-test-" + t.Name()
	if runtime.GOOS != "linux" {
		addr = filepath.Join(t.TempDir(), "i.sock")
	}
	ln, raised, err := claimInstance(addr)
	if err != nil || raised || ln == nil {
		t.Fatalf("first claim: %v, raised %t", err, raised)
	}
	var n atomic.Int32
	go serveInstance(ln, func() { n.Add(1) })
	for i := 0; i < 2; i++ {
		ln2, raised, err := claimInstance(addr)
		if err != nil || !raised || ln2 != nil {
			t.Fatalf("second claim %d: %v, raised %t", i, err, raised)
		}
	}
	if n.Load() != 2 {
		t.Fatalf("raised %d times, want 2", n.Load())
	}
	_ = ln.Close()
	ln3, raised, err := claimInstance(addr)
	if err != nil || raised {
		t.Fatalf("after the first agent quit: %v, raised %t", err, raised)
	}
	_ = ln3.Close()
}

// Two sessions (another display or another cache directory) have two addresses.
func TestInstanceAddrPerSession(t *testing.T) {
	t.Setenv("DISPLAY", ":7")
	t.Setenv("XDG_CACHE_HOME", "/tmp/a")
	a := instanceAddr()
	t.Setenv("DISPLAY", ":8")
	if b := instanceAddr(); a == b {
		t.Fatalf("same address %q for two displays", a)
	}
	t.Setenv("DISPLAY", ":7")
	t.Setenv("XDG_CACHE_HOME", "/tmp/b")
	if b := instanceAddr(); a == b {
		t.Fatalf("same address %q for two cache directories", a)
	}
}

// Started by the session's autostart with "autostart": "0", the agent exits at once; started by
// hand, it claims the session.
func TestSessionStartAutostartOff(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // a session of its own
	t.Setenv("CPX_AGENT_PORTAL_URL", "https://portail.si-samu.test")
	t.Setenv("CPX_AGENT_AUTOSTART", "0")
	var errb strings.Builder
	if ln, exit := sessionStart(true, &errb); !exit || ln != nil {
		t.Fatalf("autostart with autostart=0: exit %t, listener %v", exit, ln)
	}
	ln, exit := sessionStart(false, &errb)
	if exit || ln == nil {
		t.Fatalf("a launch by hand: exit %t, listener %v, stderr %q", exit, ln, errb.String())
	}
	_ = ln.Close()
}
