package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// TestRealWindowKeyboard drives the real app (GLFW window on the X display, demo engine)
// with X keyboard events only: Enter on home, the PIN typed + Enter, Enter on the
// preselected profile, Esc. It fails without an X display or xdotool (.ci/rig.sh run gives both).
func TestRealWindowKeyboard(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run under Xvfb (.ci/rig.sh run, or xvfb-run -a)")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Fatal("xdotool is missing: apt-get install xdotool")
	}
	bin := filepath.Join(t.TempDir(), "cpx-agent")
	build := exec.Command("go", "build", "-o", bin, "github.com/cpx-agent/cpx-agent/cmd/cpx-agent")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cpx-agent: %v\n%s", err, out)
	}
	var trace procmem.Output
	cmd := exec.Command(bin, "gui", "--demo", "--demo-trace", "--lang", "fr")
	cmd.Stderr = &trace
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stop(cmd)
	if err := waitWindow(cmd.Process.Pid, "CPx Agent", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xdotool", "search", "--onlyvisible", "--pid", itoa(cmd.Process.Pid), "--name", "^CPx Agent$").Output()
	if err != nil {
		t.Fatal(err)
	}
	win := strings.Fields(string(out))[0]
	if out, err := exec.Command("xdotool", "windowfocus", "--sync", win).CombinedOutput(); err != nil {
		t.Fatalf("focus the window: %v %s", err, out)
	}
	time.Sleep(300 * time.Millisecond) // the first frame
	steps := []struct {
		keys []string // xdotool arguments
		want string   // trace line to wait for
	}{
		{[]string{"key", "Return"}, "demo: step pin busy=false"},
		{[]string{"type", "--delay", "50", "1234"}, ""},
		{[]string{"key", "Return"}, "demo: step choose_profile busy=false"},
		{[]string{"key", "Return"}, "demo: step link_phone busy=false"},
		{[]string{"key", "Escape"}, "demo: intent agent.Cancel"},
	}
	for _, st := range steps {
		if out, err := exec.Command("xdotool", st.keys...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", st.keys, err, out)
		}
		if st.want == "" {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(trace.String(), st.want) {
			if time.Now().After(deadline) {
				t.Fatalf("after %v: no %q in the trace:\n%s", st.keys, st.want, trace.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !strings.Contains(trace.String(), "demo: intent agent.SubmitPIN") {
		t.Fatalf("the typed PIN was never submitted:\n%s", trace.String())
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
