package agent

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the flow engine free of Fyne, cgo and hardware or network packages:
// the standard library and internal/portal/api only.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{if not .Standard}}{{.ImportPath}} cgo={{len .CgoFiles}}{{end}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/cpx-agent/cpx-agent/internal/agent":      true,
		"github.com/cpx-agent/cpx-agent/internal/portal/api": true,
	}
	for _, line := range strings.Fields(strings.ReplaceAll(string(out), " cgo=", "|cgo=")) {
		path, cgo, _ := strings.Cut(line, "|")
		if !allowed[path] {
			t.Errorf("forbidden dependency %s", path)
		}
		if cgo != "cgo=0" {
			t.Errorf("%s uses cgo", path)
		}
	}
}
