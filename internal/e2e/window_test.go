//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The screens have no accessibility tree and the real engine prints no state trace, so a
// screen is told by its title: the top band of the window (every page starts with its title),
// hashed. The reference hashes come from the same binary, renderer and window size: the demo
// engine opened on each screen (`cpx-agent gui --demo --demo-step NAME`).
const (
	windowTitle = "CPx Agent"
	bandHeight  = 50 // px from the top of the 540×500 window: the page title
)

// requireX fails without an X display, xdotool or ImageMagick's import.
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
}

// Agent is a running cpx-agent gui and its window.
type Agent struct {
	Cmd     *exec.Cmd
	Win     string
	Stderr  *syncBuffer
	Started time.Time
	Mapped  time.Time // the window became viewable
}

// startAgent runs `cpx-agent ARGS…` with env and waits for its window.
func startAgent(t testing.TB, env []string, args ...string) *Agent {
	t.Helper()
	a := &Agent{Stderr: &syncBuffer{}}
	a.Cmd = exec.Command(agentBin(t), args...)
	a.Cmd.Env, a.Cmd.Stderr = env, a.Stderr
	a.Started = time.Now()
	if err := a.Cmd.Start(); err != nil {
		t.Fatalf("start cpx-agent: %v", err)
	}
	t.Cleanup(func() { stop(a.Cmd) })
	deadline := a.Started.Add(30 * time.Second)
	for {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(a.Cmd.Process.Pid),
			"--name", "^"+windowTitle+"$").Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			a.Mapped, a.Win = time.Now(), f[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q window after 30 s; cpx-agent stderr:\n%s", windowTitle, a.Stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out, err := exec.Command("xdotool", "windowfocus", "--sync", a.Win).CombinedOutput(); err != nil {
		t.Fatalf("focus the window: %v %s", err, out)
	}
	return a
}

// Size is the window's geometry, e.g. "540x500" (the banner is "1280x56").
func (a *Agent) Size(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("xdotool", "getwindowgeometry", "--shell", a.Win).Output()
	if err != nil {
		t.Fatalf("window geometry: %v", err)
	}
	var w, h string
	for _, l := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(l, "WIDTH="); ok {
			w = v
		}
		if v, ok := strings.CutPrefix(l, "HEIGHT="); ok {
			h = v
		}
	}
	return w + "x" + h
}

// band hashes the window's title band ("" when the window cannot be read).
func (a *Agent) band() string {
	out, err := exec.Command("import", "-window", a.Win, "-crop", fmt.Sprintf("540x%d+0+0", bandHeight), "rgb:-").Output()
	if err != nil || len(out) == 0 {
		return ""
	}
	return fmt.Sprintf("%x", sha256.Sum256(out))[:16]
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

func demoBand(t testing.TB, step string) (string, error) {
	cmd := exec.Command(agentBin(t), "gui", "--demo", "--demo-step", step, "--lang", "fr")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer stop(cmd)
	a := &Agent{Cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for a.Win == "" {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(cmd.Process.Pid), "--name", "^"+windowTitle+"$").Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			a.Win = f[0]
		} else if time.Now().After(deadline) {
			return "", fmt.Errorf("demo screen %s: no window after 30 s; cpx-agent stderr:\n%s", step, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The band is settled when two reads 200 ms apart agree.
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

// waitScreen polls the title band until it shows want (a calibrated name), failing on
// another known non-wait screen that is not in also, and returns when it was first seen.
func (a *Agent) waitScreen(t testing.TB, ref screens, want string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		h := a.band()
		at := time.Now()
		name := ref[h]
		if name == want {
			return at
		}
		if name != "" {
			last = name
		}
		if a.Cmd.ProcessState != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("screen %q not shown within %v (last known screen %q); cpx-agent stderr:\n%s", want, limit, last, a.Stderr.String())
	return time.Time{}
}
