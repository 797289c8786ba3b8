//go:build linux

package doctor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// internal/card's vpcd port (docs/architecture.md), shared with it through testrig.LockPort.
const port = 35963

func byName(r Report) map[string]Check {
	m := map[string]Check{}
	for _, c := range r.Checks {
		if _, dup := m[c.Name]; !dup {
			m[c.Name] = c
		}
	}
	return m
}

// Through the real stack: pcscd, a virtual CPS4 card, OpenSC's PKCS#11 module.
func TestRunRealStack(t *testing.T) {
	c := testrig.StartCard(t, port, "cpe")
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, c.Reader))
	module := testrig.OpenSCModule(t)
	r := Run(context.Background(), Config{Reader: c.Reader, Modules: []string{module}})
	t.Log("\n" + r.Text())
	if r.Failed() {
		t.Fatal("a check failed")
	}
	m := byName(r)
	for name, want := range map[string]string{
		"pcscd": "reachable", "readers": c.Reader, "card": "CPS4", "pkcs11": "1 loadable of 1",
		"module": "OpenSC", "token": c.Reader, "clock": "",
	} {
		if m[name].Status != OK || !strings.Contains(m[name].Detail, want) {
			t.Errorf("%s: %+v (want ok with %q)", name, m[name], want)
		}
	}
	if m["portal-clock"].Status != Skip {
		t.Errorf("portal-clock without URL: %+v", m["portal-clock"])
	}

	// A catalogue module that is not installed is listed; none loadable is a failure.
	missing := filepath.Join(t.TempDir(), "libcps3_pkcs11_lux.so")
	r = Run(context.Background(), Config{Reader: c.Reader, Modules: []string{missing}})
	m = byName(r)
	if !r.Failed() || m["pkcs11"].Status != Fail || !strings.Contains(m["pkcs11"].Detail, missing) || m["token"].Status != Fail {
		t.Errorf("no module: %+v / %+v", m["pkcs11"], m["token"])
	}

	// Without the card: a warning with the French instruction, and no token check.
	c.RemoveAndWait(t)
	r = Run(context.Background(), Config{Reader: c.Reader, Modules: []string{module}})
	m = byName(r)
	if r.Failed() || m["card"].Status != Warn || !strings.Contains(m["card"].Fix, "Insérez") {
		t.Errorf("empty reader: %+v", m["card"])
	}
	if _, ok := m["token"]; ok {
		t.Errorf("token check without a card: %+v", m["token"])
	}
}
