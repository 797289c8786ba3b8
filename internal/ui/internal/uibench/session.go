package main

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// afterSession runs the demo agent through `rounds` sign-in round trips from the keyboard
// (home → PIN 1234 → profile → phone → Esc back home), waits settle on the home screen, and
// returns its memory then and its VmRSS before the first round (kB). It shows what a session
// leaves behind once the app rests again (cpx-agent trims its Go heap 5 s after it comes
// to rest on an idle screen).
func afterSession(bin string, rounds int, settle time.Duration) (before int64, after procmem.Status, err error) {
	cmd := exec.Command(bin, "gui", "--demo", "--demo-step", "home", "--demo-trace", "--lang", "fr")
	var trace procmem.Output
	cmd.Stderr = &trace
	if err := cmd.Start(); err != nil {
		return 0, after, fmt.Errorf("start %s: %w", bin, err)
	}
	defer stop(cmd)
	pid := cmd.Process.Pid
	if err := waitWindow(pid, "CPx Agent", 30*time.Second); err != nil {
		return 0, after, err
	}
	time.Sleep(3 * time.Second)
	st, err := procmem.ReadStatus(pid)
	if err != nil {
		return 0, after, err
	}
	out, err := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "^CPx Agent$").Output()
	if err != nil || len(strings.Fields(string(out))) == 0 {
		return 0, after, fmt.Errorf("find the window: %v", err)
	}
	win := strings.Fields(string(out))[0]
	if out, err := exec.Command("xdotool", "windowfocus", "--sync", win).CombinedOutput(); err != nil {
		return 0, after, fmt.Errorf("focus the window: %v %s", err, out)
	}
	for i := 0; i < rounds; i++ {
		if err := round(&trace); err != nil {
			return 0, after, fmt.Errorf("round %d: %w; trace:\n%s", i+1, err, trace.String())
		}
	}
	time.Sleep(settle)
	after, err = procmem.ReadStatus(pid)
	return st.VmRSS, after, err
}

// round is one sign-in round trip on the demo engine, each key checked in its trace.
func round(trace *procmem.Output) error {
	steps := []struct {
		keys []string
		want string // the demo trace's last step line after the keys
	}{
		{[]string{"key", "Return"}, "pin"},
		{[]string{"type", "--delay", "30", "1234"}, "pin"},
		{[]string{"key", "Return"}, "choose_profile"},
		{[]string{"key", "Return"}, "link_phone"},
		{[]string{"key", "Escape"}, "waiting_card"},
	}
	for _, st := range steps {
		if out, err := exec.Command("xdotool", st.keys...).CombinedOutput(); err != nil {
			return fmt.Errorf("xdotool %v: %v %s", st.keys, err, out)
		}
		deadline := time.Now().Add(10 * time.Second)
		for lastStep(trace.String()) != st.want+" busy=false" {
			if time.Now().After(deadline) {
				return fmt.Errorf("after %v: not on %s", st.keys, st.want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // the screen is drawn
	}
	return nil
}

// lastStep is "STEP busy=BOOL" of the demo trace's last step line.
func lastStep(trace string) string {
	i := strings.LastIndex(trace, "demo: step ")
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(trace[i+len("demo: step "):], "\n")
	return line
}
