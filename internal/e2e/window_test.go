//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// The screens have no accessibility tree, and the state trace (CPX_AGENT_TRACE) tells when the
// engine changed step, not when the window showed it, so a screen is told by its title: the
// top band of the window (every page starts with its title), hashed. The reference hashes
// come from the same binary, renderer, window size and reader (xband.go): the demo engine
// opened on each screen (`cpx-agent gui --demo --demo-step NAME`).
const (
	windowTitle = "CPx Agent"
	bandHeight  = 50 // px from the top of the 540×500 window: the page title
)

// requireX fails without an X display, xdotool or ImageMagick's import, and opens the test
// process's own X connection (xband.go), kept for the whole process. Keeping a client
// connected also stops Xvfb's server reset: by default Xvfb resets when its last client
// disconnects, and a client connecting during that reset fails ("unable to open display").
// Before, the only clients while an agent started were the short-lived xdotool/import polls,
// so each of them reset the server on exit, and the agent's GLFW sometimes failed to open the
// display ("PlatformError: X11: Failed to open display", then "no window": the flake of
// 23/11/2026). Reproduced: xdpyinfo run 300 times beside a loop of xdotool calls failed 4-5
// times, none with one client held open or Xvfb -noreset; the demo agent started 80 times
// under xdotool polling failed once, "X11: Failed to open display :99".
func requireX(t testing.TB) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run under Xvfb (.ci/rig.sh run)")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: apt-get install xdotool imagemagick", tool)
		}
	}
	xconn.mu.Lock()
	_, err := xDisplay()
	xconn.mu.Unlock()
	if err != nil {
		t.Fatalf("%v: run under Xvfb (.ci/rig.sh run); libx11-dev and libxtst-dev (xorg-dev) build this package", err)
	}
}

// Agent is a running cpx-agent gui and its window.
type Agent struct {
	Cmd     *exec.Cmd
	Win     string
	Stderr  *procmem.Output
	Started time.Time
	Mapped  time.Time // the window became viewable
	reads   readStats
}

// readStats: how far apart the title-band reads were when a screen was first seen — the
// resolution of the "screen seen" times (the frame landed between the two reads).
type readStats struct {
	n   int
	gap time.Duration
}

// pollEvery is the pause between two reads of the title band.
const pollEvery = 2 * time.Millisecond

// startAgent runs `cpx-agent ARGS…` with env and waits for its window.
func startAgent(t testing.TB, env []string, args ...string) *Agent {
	t.Helper()
	a := &Agent{Stderr: &procmem.Output{}}
	a.Cmd = exec.Command(agentBin(t), args...)
	a.Cmd.Env, a.Cmd.Stderr = env, a.Stderr
	a.Started = time.Now()
	if err := a.Cmd.Start(); err != nil {
		t.Fatalf("start cpx-agent: %v", err)
	}
	t.Cleanup(func() { stop(a.Cmd) })
	win, err := findWindow(a.Cmd, 30*time.Second)
	if err != nil {
		t.Fatalf("%v; cpx-agent stderr:\n%s", err, a.Stderr.String())
	}
	a.Mapped, a.Win = time.Now(), win
	if out, err := exec.Command("xdotool", "windowfocus", "--sync", a.Win).CombinedOutput(); err != nil {
		t.Fatalf("focus the window: %v %s", err, out)
	}
	return a
}

// findWindow waits up to limit for the viewable "CPx Agent" window of cmd's process; it
// gives up at once when the process has exited.
func findWindow(cmd *exec.Cmd, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	pid := cmd.Process.Pid
	for {
		win, err := xFindWindow(pid, windowTitle)
		switch {
		case err != nil:
			return "", err
		case win != "":
			return win, nil
		case exited(pid):
			return "", fmt.Errorf("cpx-agent (pid %d) exited before showing its window", pid)
		case time.Now().After(deadline):
			return "", fmt.Errorf("no %q window after %v", windowTitle, limit)
		}
		time.Sleep(pollEvery)
	}
}

// exited tells whether our child pid has ended (a zombie not yet waited for, or gone).
func exited(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// Size is the window's geometry, e.g. "540x500" (the banner is "1280x56").
func (a *Agent) Size(t testing.TB) string {
	t.Helper()
	size, _, err := xSize(a.Win)
	if err != nil {
		t.Fatalf("window geometry: %v; cpx-agent stderr:\n%s", err, a.Stderr.String())
	}
	return size
}

// band hashes the window's title band: the top 540×50 pixels, read in-process (xband.go);
// "" when the window cannot be read (gone, unmapped) or is not painted yet (one colour).
func (a *Agent) band() string {
	h, err := xBandHash(a.Win, 540, bandHeight)
	if err != nil {
		return ""
	}
	return h
}

// Keys sends xdotool arguments (type/key …) to the focused window.
func (a *Agent) Keys(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v %s", args, err, out)
	}
}

// Shot saves the window as a PNG (8-bit palette, small) in path.
func (a *Agent) Shot(t testing.TB, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("import", "-window", a.Win, "-colors", "64", "PNG8:"+path).CombinedOutput()
	if err != nil {
		t.Fatalf("screenshot %s: %v %s", path, err, out)
	}
}

// screens maps title-band hashes to screen names.
type screens map[string]string

var refs struct {
	once sync.Once
	m    screens
	err  error
}

// calibrated screens, each opened by the demo engine; "card_present" and "signing_in" share
// the wait page's title ("Veuillez patienter").
var calibrated = []string{"home", "card_present", "pin", "profile", "phone", "set_password", "otp_channels", "locked"}

// references opens each calibrated demo screen once and hashes its title band.
func references(t testing.TB) screens {
	t.Helper()
	refs.once.Do(func() {
		refs.m = screens{}
		for _, name := range calibrated {
			h, err := demoBand(t, name)
			if err != nil {
				refs.err = err
				return
			}
			if other, dup := refs.m[h]; dup && !(other == "card_present" || name == "card_present") {
				refs.err = fmt.Errorf("screens %s and %s have the same title band", other, name)
				return
			}
			if name == "card_present" {
				name = "wait"
			}
			refs.m[h] = name
		}
	})
	if refs.err != nil {
		t.Fatalf("reference screens: %v", refs.err)
	}
	return refs.m
}

// demoBand opens the demo engine on step and hashes its settled title band.
func demoBand(t testing.TB, step string) (string, error) {
	cmd := exec.Command(agentBin(t), "gui", "--demo", "--demo-step", step, "--lang", "fr")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr procmem.Output
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer stop(cmd)
	win, err := findWindow(cmd, 30*time.Second)
	if err != nil {
		return "", fmt.Errorf("demo screen %s: %w; cpx-agent stderr:\n%s", step, err, stderr.String())
	}
	a := &Agent{Cmd: cmd, Win: win}
	// The band is settled when two reads 200 ms apart agree.
	deadline := time.Now().Add(30 * time.Second)
	prev := ""
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if h := a.band(); h != "" && h == prev {
			return h, nil
		} else {
			prev = h
		}
	}
	return "", fmt.Errorf("demo screen %s: title band never settled", step)
}

// waitScreen polls the title band until it shows want (a calibrated name) and returns when
// it was first seen: the end of the read that saw it (the frame landed at most one read gap
// earlier; Agent.reads keeps those gaps). It does not depend on passing screens (the wait
// screen may or may not show on the way).
func (a *Agent) waitScreen(t testing.TB, ref screens, want string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	last, prevEnd := "", time.Now()
	for time.Now().Before(deadline) {
		h := a.band()
		at := time.Now()
		name := ref[h]
		if name == want {
			a.reads.add(at.Sub(prevEnd))
			return at
		}
		if name != "" {
			last = name
		}
		if exited(a.Cmd.Process.Pid) {
			break
		}
		prevEnd = at
		time.Sleep(pollEvery)
	}
	t.Fatalf("screen %q not shown within %v (last known screen %q); cpx-agent stderr:\n%s", want, limit, last, a.Stderr.String())
	return time.Time{}
}

// add records the gap between the read that first saw a screen and the read before it.
func (r *readStats) add(gap time.Duration) { r.n, r.gap = r.n+1, r.gap+gap }

// mean is the mean gap, 0 when nothing was recorded.
func (r *readStats) mean() time.Duration {
	if r.n == 0 {
		return 0
	}
	return r.gap / time.Duration(r.n)
}
