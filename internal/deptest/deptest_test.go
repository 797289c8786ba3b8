package deptest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/cpx-agent/cpx-agent"

// pkg is one package as `go list` sees it.
type pkg struct {
	path    string
	imports []string // direct, non-test
	deps    []string // transitive, non-test
}

// list runs go list over patterns (errors tolerated, so that a broken package elsewhere
// does not hide a rule break here).
func list(t *testing.T, patterns ...string) []pkg {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Fatal("the go tool is needed to list dependencies: install Go or put it on PATH")
		}
	}
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}"}, patterns...)
	out, err := exec.Command(goTool, args...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", patterns, err)
	}
	var pkgs []pkg
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		pkgs = append(pkgs, pkg{path: f[0], imports: strings.Fields(f[1]), deps: strings.Fields(f[2])})
	}
	if len(pkgs) == 0 {
		t.Fatal("go list returned no package")
	}
	return pkgs
}

func under(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

// uiMayUse lists the module packages the UI may depend on, transitively.
var uiMayUse = []string{module + "/internal/agent", module + "/internal/portal/api", module + "/internal/ui"}

// uiNever lists third-party and standard packages the UI must not reach, even through Fyne.
var uiNever = []string{"database/sql", "github.com/ebfe/scard", "github.com/miekg/pkcs11",
	"github.com/zalando/go-keyring", "github.com/jackc/pgx", "modernc.org/sqlite", "fyne.io/fyne/v2/app"}

// uiNoDirect lists packages the UI's own files must not import (Fyne itself imports net/http).
var uiNoDirect = []string{"net/http", "net", "database/sql", "os/exec", "crypto/tls"}

func TestUIDependencies(t *testing.T) {
	for _, p := range list(t, module+"/internal/ui/...") {
		if under(p.path, module+"/internal/ui/internal") {
			continue // build-time tools (icon generator)
		}
		for _, d := range p.deps {
			if under(d, module) && !allowed(d, uiMayUse) {
				t.Errorf("%s depends on %s: the UI may only use internal/agent and internal/portal/api", p.path, d)
			}
			for _, n := range uiNever {
				if under(d, n) {
					t.Errorf("%s depends on %s (hardware, storage or the app driver)", p.path, d)
				}
			}
		}
		for _, i := range p.imports {
			for _, n := range uiNoDirect {
				if i == n {
					t.Errorf("%s imports %s: network and storage belong to the engine's adapters", p.path, i)
				}
			}
		}
	}
}

func TestFyneOnlyInUIAndCmd(t *testing.T) {
	for _, p := range list(t, module+"/...") {
		if under(p.path, module+"/internal/ui") || under(p.path, module+"/cmd") {
			continue
		}
		for _, d := range p.deps {
			if under(d, "fyne.io") {
				t.Errorf("%s depends on %s: only internal/ui and cmd/ may use Fyne", p.path, d)
				break
			}
		}
	}
}

func allowed(path string, roots []string) bool {
	for _, r := range roots {
		if under(path, r) {
			return true
		}
	}
	return false
}
