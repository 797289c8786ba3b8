package testrig

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// ChildEnv is set in the child process of RunInChild; its value names the scenario.
const ChildEnv = "CPX_TEST_CHILD"

// RunInChild runs test name alone in a child process of the test binary, with ChildEnv set to
// scenario, and fails unless it passes (within 3 minutes); the child's file:line log lines are
// logged. A PKCS#11 module is C_Initialize'd once per process and OpenSC reads OPENSC_CONF
// only then, and a stuck card call holds OpenSC's global lock until the card is pulled: a
// child gets a module of its own.
func RunInChild(t testing.TB, name, scenario string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), ChildEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "_test.go:") {
			t.Log(strings.TrimSpace(l))
		}
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("%s (%s) in its own process: %v\n%s", name, scenario, err, out)
	}
}

// Within fails the test when f takes longer than d, and returns f's error.
func Within(t testing.TB, what string, d time.Duration, f func() error) error {
	t.Helper()
	t0 := time.Now()
	err := f()
	if took := time.Since(t0); took > d {
		t.Fatalf("%s took %v, want at most %v", what, took, d)
	}
	return err
}

// StartStuckCard starts a virtual card on port that stops answering its first APDU while
// *hang is true, with OpenSC restricted to its reader (so other readers of the shared rig stay
// out), and returns it with its reader's name.
func StartStuckCard(t testing.TB, port int, hang *atomic.Bool) (*Card, string) {
	t.Helper()
	RequirePCSCD(t)
	reader := ReaderForPort(port)
	t.Setenv("OPENSC_CONF", OpenSCConfOnly(t, reader))
	vc := StartCard(t, port, "cpe", WithVCardConfig(func(c *vcard.Config) {
		c.Stall = func([]byte) bool { return hang.Load() }
	}))
	return vc, reader
}
