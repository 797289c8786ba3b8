package deptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// rule forbids packages to the packages matched by pkgs (module-relative; a "/..." suffix
// matches the tree). A forbidden path with a "/..." suffix forbids its tree; "cgo" forbids a
// non-standard package that has cgo files.
type rule struct {
	pkgs   string
	direct bool // only the packages' own imports (else every dependency, transitively)
	forbid []string
	reason string
}

var (
	pcscPKCS11 = []string{"github.com/ebfe/scard", "github.com/miekg/pkcs11"}
	network    = []string{"net", "net/...", "crypto/tls", "os/exec", "C"}
)

// rules is the architecture, as the issue and docs/architecture.md state it.
var rules = []rule{
	{"internal/portal/...", false, []string{module + "/internal/agent/..."},
		"the portal's folder never depends on the desktop engine: the client speaks api types"},
	{"internal/agent", true, network,
		"the flow engine reaches the network, processes and C only through its ports (cmd/ wires the adapters)"},
	{"internal/agent", false, append([]string{"cgo", "fyne.io/...", "github.com/zalando/go-keyring",
		module + "/internal/card", module + "/internal/token", module + "/internal/cardtoken",
		module + "/internal/portal/client", module + "/internal/keystore", module + "/internal/ui/..."}, pcscPKCS11...),
		"the flow engine depends on the standard library and internal/portal/api only: no cgo, no Fyne, no hardware"},
	{"internal/doctor/...", true, pcscPKCS11,
		"the diagnostic reaches PC/SC and PKCS#11 only through internal/card and internal/token"},
	{"cmd/...", true, pcscPKCS11,
		"commands reach PC/SC and PKCS#11 only through internal/card and internal/token"},
	{"internal/cardtoken", false, []string{"fyne.io/...", module + "/internal/portal/client",
		module + "/internal/portal/server", module + "/internal/portal/store"},
		"the card token port knows the engine's ports, not the UI nor the portal's client or server"},
}

// info is one package as `go list -deps` sees it.
type info struct {
	standard bool
	cgo      bool
	imports  []string
	deps     []string
}

// listAll lists the module's packages and all their dependencies for goos.
func listAll(t *testing.T, goos string) map[string]info {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "list", "-e", "-deps", "-f",
		`{{.ImportPath}}|{{.Standard}}|{{len .CgoFiles}}|{{join .Imports " "}}|{{join .Deps " "}}`, module+"/...")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GOOS=%s go list: %v", goos, err)
	}
	pkgs := map[string]info{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 5 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		pkgs[f[0]] = info{standard: f[1] == "true", cgo: f[2] != "0", imports: strings.Fields(f[3]), deps: strings.Fields(f[4])}
	}
	return pkgs
}

// match reports whether path is pattern or, for "x/...", under x.
func match(path, pattern string) bool {
	if root, ok := strings.CutSuffix(pattern, "/..."); ok {
		return under(path, root)
	}
	return path == pattern
}

// check returns every break of rules in pkgs, and every rule that matches no package.
func check(pkgs map[string]info, rules []rule) []string {
	var out []string
	for _, r := range rules {
		n := 0
		for path, p := range pkgs {
			if !match(path, module+"/"+r.pkgs) {
				continue
			}
			n++
			seen := p.deps
			if r.direct {
				seen = p.imports
			}
			for _, d := range seen {
				for _, f := range r.forbid {
					if (f == "cgo" && !pkgs[d].standard && pkgs[d].cgo) || (f != "cgo" && match(d, f)) {
						out = append(out, fmt.Sprintf("%s → %s: %s", path, d, r.reason))
					}
				}
			}
		}
		if n == 0 {
			out = append(out, fmt.Sprintf("rule on %s matches no package: update the rule (%s)", r.pkgs, r.reason))
		}
	}
	return out
}

// TestDependencyRules checks the rules on linux, windows and darwin (build tags and cgo
// files differ per OS: the Linux PC/SC binding is cgo, the others are not).
func TestDependencyRules(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			for _, v := range check(listAll(t, goos), rules) {
				t.Error(v)
			}
		})
	}
}

// TestDependencyRulesCatchBreaks is the test of the test: a forbidden import, a forbidden
// dependency through another package, cgo in a dependency, and a rule on a package that no
// longer exists are each reported.
func TestDependencyRulesCatchBreaks(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	pkgs := map[string]info{
		m("internal/agent"):         {imports: []string{"context", "os/exec"}, deps: []string{"context", "os/exec", m("internal/x")}},
		m("internal/x"):             {cgo: true},
		m("internal/portal/client"): {deps: []string{m("internal/agent")}},
		m("internal/doctor"):        {imports: []string{"github.com/miekg/pkcs11"}},
		m("cmd/cpx-agent"):          {imports: []string{"github.com/ebfe/scard"}},
		m("internal/cardtoken"):     {},
		"os/exec":                   {standard: true},
		"context":                   {standard: true},
		"github.com/miekg/pkcs11":   {cgo: true},
		"github.com/ebfe/scard":     {cgo: true},
	}
	got := strings.Join(check(pkgs, rules), "\n")
	for _, want := range []string{
		"internal/agent → os/exec",
		"internal/agent → " + m("internal/x") + ": the flow engine depends on the standard library",
		"internal/portal/client → " + m("internal/agent"),
		"internal/doctor → github.com/miekg/pkcs11",
		"cmd/cpx-agent → github.com/ebfe/scard",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no break reported for %q in:\n%s", want, got)
		}
	}
	gone := check(map[string]info{}, []rule{{"internal/removed", true, []string{"os/exec"}, "x"}})
	if len(gone) != 1 || !strings.Contains(gone[0], "matches no package") {
		t.Errorf("a rule on a package that no longer exists: %v", gone)
	}
}
