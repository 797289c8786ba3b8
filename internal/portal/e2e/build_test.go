package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
}

// binary builds ./cmd/<name> once per test process and returns its path.
func binary(t *testing.T, name string) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if p, ok := builds.bins[name]; ok {
		return p
	}
	if builds.dir == "" {
		d, err := os.MkdirTemp("", "cpx-e2e-bin-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.bins = d, map[string]string{}
	}
	out := filepath.Join(builds.dir, name)
	cmd := exec.Command("go", "build", "-o", out, "github.com/cpx-agent/cpx-agent/cmd/"+name)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, b)
	}
	builds.bins[name] = out
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}
