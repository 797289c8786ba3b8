//go:build e2e

package e2e

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestBandReader: the in-process title-band reader (xband.go) on a real demo window: two
// reads of a settled screen agree and match the reference screen; another screen differs;
// a window id that does not exist and the window of a process that has exited give an
// error, not an X error that ends the test process. Logs the cost of one read.
func TestBandReader(t *testing.T) {
	requireX(t)
	ref := references(t)
	env := append(os.Environ(), "HOME="+t.TempDir())
	a := startAgent(t, env, "gui", "--demo", "--demo-step", "pin", "--lang", "fr")
	a.waitScreen(t, ref, "pin", 20*time.Second)
	h1, h2 := a.band(), a.band()
	if h1 == "" || h1 != h2 || ref[h1] != "pin" {
		t.Fatalf("two reads of the settled PIN screen: %q, %q (reference screen %q)", h1, h2, ref[h1])
	}
	for h, name := range ref {
		if name == "home" && h == h1 {
			t.Fatalf("the PIN and home screens hash alike (%s)", h)
		}
	}
	cost := readCost(a)
	size, viewable, err := xSize(a.Win)
	if err != nil || size != "540x500" || !viewable {
		t.Fatalf("xSize: %q viewable=%v err=%v, want 540x500 viewable", size, viewable, err)
	}
	t.Logf("one title-band read (540×%d, XGetImage): %v", bandHeight, cost)

	if _, err := xBandHash("536870896", 540, bandHeight); !errors.Is(err, errNotViewable) {
		t.Errorf("read of a window that does not exist: err %v, want errNotViewable", err)
	}
	stop(a.Cmd)
	if _, err := xBandHash(a.Win, 540, bandHeight); !errors.Is(err, errNotViewable) {
		t.Errorf("read of the window of an exited process: err %v, want errNotViewable", err)
	}
	if win, err := xFindWindow(a.Cmd.Process.Pid, windowTitle); err != nil || win != "" {
		t.Errorf("window of an exited process found: %q, %v", win, err)
	}
	// The connection still works after those X errors.
	if _, err := xBandHash("0", 540, bandHeight); err == nil {
		t.Error("window id 0 accepted")
	}
	b := startAgent(t, env, "gui", "--demo", "--demo-step", "home", "--lang", "fr")
	b.waitScreen(t, ref, "home", 20*time.Second)
}
