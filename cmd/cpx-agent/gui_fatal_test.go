package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// Without a display the GUI says so in French and exits 1, instead of a GLFW panic (QA S2-2).
func TestGUINoDisplay(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Fatalf("this test is for X11/Wayland systems, not %s", runtime.GOOS)
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var out, errb bytes.Buffer
	if code := run([]string{"gui"}, strings.NewReader(""), &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errb.String())
	}
	if !strings.Contains(errb.String(), "aucun affichage graphique") {
		t.Fatalf("stderr %q: want the French no-display sentence", errb.String())
	}
}
