package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/ui"
)

var traceRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z step=[a-z_]+ busy=(true|false) err=([a-z_]+|-)$`)

// TestWriteTrace: one line per change of step, busy or error key, in the documented format,
// and nothing the user typed or the portal returned.
func TestWriteTrace(t *testing.T) {
	snaps := make(chan agent.Snapshot, 16)
	secret := agent.Snapshot{Step: agent.StepOTPCode, Identifiant: "claire.martin", OTPSentTo: "c***@example.fr",
		Session: &api.Session{ID: "sess-SECRET-123", Phone: "4021"}, LastPhone: "4021"}
	for _, s := range []agent.Snapshot{
		{Step: agent.StepWaitingCard},
		{Step: agent.StepWaitingCard, Notice: agent.NoticeInsertCard}, // same line: not written
		{Step: agent.StepPIN},
		{Step: agent.StepPIN, Busy: true, BusyLabel: agent.BusyPINChecking},
		{Step: agent.StepPIN, Err: &agent.PINError{TriesLeft: 2}},
		{Step: agent.StepPIN, Err: &agent.PINError{TriesLeft: 1}}, // same key: not written
		secret,
	} {
		snaps <- s
	}
	close(snaps)
	var buf bytes.Buffer
	at := time.Date(2026, 11, 23, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	writeTrace(&buf, snaps, func() time.Time { return at })
	want := []string{
		"2026-11-23T02:04:05.123456789Z step=waiting_card busy=false err=-",
		"2026-11-23T02:04:05.123456789Z step=pin busy=false err=-",
		"2026-11-23T02:04:05.123456789Z step=pin busy=true err=-",
		"2026-11-23T02:04:05.123456789Z step=pin busy=false err=pin_incorrect",
		"2026-11-23T02:04:05.123456789Z step=otp_code busy=false err=-",
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("trace:\n%s\nwant:\n%s", buf.String(), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if !traceRe.MatchString(l) {
			t.Errorf("line %q does not match the documented format", l)
		}
	}
	for _, leak := range []string{"claire", "4021", "SECRET", "example.fr"} {
		if strings.Contains(buf.String(), leak) {
			t.Errorf("trace holds %q", leak)
		}
	}
}

func TestOpenTraceErrors(t *testing.T) {
	if _, _, err := openTrace(filepath.Join(t.TempDir(), "no", "such", "dir", "t.log"), nil); err == nil ||
		!strings.Contains(err.Error(), traceEnv) {
		t.Fatalf("unwritable trace path: err %v, want one naming %s", err, traceEnv)
	}
}

// TestGUITraceHelperProcess is the `cpx-agent gui` process of TestGUITrace.
func TestGUITraceHelperProcess(t *testing.T) {
	args := os.Getenv("CPX_GUI_HELPER_ARGS")
	if args == "" {
		return
	}
	os.Exit(run(strings.Fields(args), os.Stdin, os.Stdout, os.Stderr))
}

// TestGUITrace runs `cpx-agent gui` (a real Fyne window under the rig's Xvfb) with
// CPX_AGENT_TRACE set: the demo engine (teed stream) and the real flow engine (its own
// subscription, on pcscd and an unreachable portal) both write the home screen's line.
func TestGUITrace(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run the tests inside .ci/rig.sh run (Xvfb)")
	}
	for _, tc := range []struct{ name, args string }{
		{"demo", "gui --demo --lang fr"},
		{"engine", "gui --lang fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "trace.log")
			cmd := exec.Command(os.Args[0], "-test.run=^TestGUITraceHelperProcess$")
			cmd.Env = append(os.Environ(), "CPX_GUI_HELPER_ARGS="+tc.args, traceEnv+"="+path,
				"HOME="+dir, "XDG_CONFIG_HOME="+dir, "CPX_AGENT_PORTAL_URL=https://127.0.0.1:9")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			deadline := time.Now().Add(20 * time.Second)
			for {
				b, _ := os.ReadFile(path)
				first, _, _ := strings.Cut(string(b), "\n")
				if strings.HasSuffix(first, " step=waiting_card busy=false err=-") && traceRe.MatchString(first) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no home line in the trace after 20 s: %q; stderr:\n%s", b, stderr.String())
				}
				time.Sleep(100 * time.Millisecond)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("trace file mode: %v %v, want 0600", fi.Mode(), err)
			}
		})
	}
}

// TestWorkstationView: the settings screen gets the effective configuration's non-secret keys.
func TestWorkstationView(t *testing.T) {
	w := workstationView(config.Config{Workstation: "ws-07", PortalURL: "https://p.example", PKCS11Module: "/m.so",
		RemovalPolicy: "signout", Reader: "R 1", PortalCA: "/etc/ca.pem"})
	if *w != (ui.Workstation{Name: "ws-07", PortalURL: "https://p.example", PKCS11Module: "/m.so", RemovalPolicy: "signout", Reader: "R 1"}) {
		t.Fatalf("workstation view %+v", *w)
	}
}
