//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkSecondLaunch: a second `cpx-agent gui` in the same session (same user, display and
// directories as the running agent) brings the first window forward and exits 0 at once
// instead of starting a second agent on the same reader.
func checkSecondLaunch(t *testing.T, env []string) {
	t.Helper()
	cmd := exec.Command(agentBin(t), "gui", "--lang", "fr")
	cmd.Env = env
	done := make(chan error, 1)
	var out strings.Builder
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("second cpx-agent: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "déjà ouvert") {
			t.Fatalf("second launch: %v, stderr:\n%s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("a second cpx-agent in the same session still runs after 10 s; stderr:\n%s", out.String())
	}
}

// pinInLog finds the PIN as a value of its own (not the "1234" of a duration or a time).
var pinInLog = regexp.MustCompile(`(^|[^0-9.:])` + PIN + `([^0-9]|$)`)

// checkLogClean reads the agent's log file (XDG_STATE_HOME of env) after a full sign-in: it
// holds the flow's steps and never the PIN, the password, or a bearer token.
func checkLogClean(t *testing.T, env []string) {
	t.Helper()
	var state string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			state = v
		}
	}
	b, err := os.ReadFile(filepath.Join(state, "cpx-agent", "cpx-agent.log"))
	if err != nil {
		t.Fatalf("the agent's log file: %v", err)
	}
	log := string(b)
	for _, want := range []string{"cpx-agent started", "to=signed_in"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log file lacks %q:\n%s", want, log)
		}
	}
	if pinInLog.MatchString(log) || strings.Contains(log, firstPassword) || strings.Contains(strings.ToLower(log), "bearer") {
		t.Errorf("the log file holds the PIN, the password or a token:\n%s", log)
	}
}
