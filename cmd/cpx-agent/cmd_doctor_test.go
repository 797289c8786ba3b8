//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/doctor"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// `cpx-agent doctor --json` through the real stack (pcscd, a virtual card, OpenSC).
func TestDoctorJSON(t *testing.T) {
	c := testrig.StartCard(t, cardTestPort, "cpe")
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, c.Reader))
	t.Setenv("CPX_AGENT_PORTAL_URL", "")
	var out, errb bytes.Buffer
	code := run([]string{"doctor", "--json", "--reader", c.Reader, "--module", testrig.OpenSCModule(t)}, nil, &out, &errb)
	var rep doctor.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("doctor --json printed no report: %v\n%s\n%s", err, out.String(), errb.String())
	}
	if code != 0 || rep.Failed() {
		t.Fatalf("exit %d, report:\n%s", code, out.String())
	}
	seen := map[string]doctor.Status{}
	for _, ch := range rep.Checks {
		seen[ch.Name] = ch.Status
	}
	for _, name := range []string{"pcscd", "readers", "card", "pkcs11", "module", "token", "clock"} {
		if seen[name] != doctor.OK {
			t.Errorf("check %s: %q\n%s", name, seen[name], out.String())
		}
	}
	if seen["portal-clock"] != doctor.Skip {
		t.Errorf("portal-clock %q without a portal URL", seen["portal-clock"])
	}
}

// A failing check gives exit code 1 and the French fix in the text report.
func TestDoctorFailureExitCode(t *testing.T) {
	testrig.RequirePCSCD(t)
	var out, errb bytes.Buffer
	code := run([]string{"doctor", "--reader", "No Such Reader 00 00"}, nil, &out, &errb)
	if code != 1 || !strings.Contains(out.String(), "[fail] readers") || !strings.Contains(out.String(), "Branchez le lecteur") {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
}
