package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// maxReport bounds the diagnostic report kept for the settings screen.
const maxReport = 64 << 10

// doctorDiagnoser is the settings screen's diagnostic (agent.Diagnoser): it runs the doctor
// subcommand of this very binary (`cpx-agent doctor`) and returns its text output, stdout and
// stderr together, as the report for support. The checks are internal/doctor's (doctor.Run,
// Report.Text) with the same workstation configuration; they run in a separate process rather
// than in the app so that a check that hangs or crashes (a PKCS#11 module, pcscd) stays out of
// the app, and so that the doctor's module loading (C_Initialize, OPENSC_CONF read once per
// process) never interferes with the modules the app holds open for the signed-in card.
type doctorDiagnoser struct {
	exe  string   // this binary
	args []string // "doctor"
}

// newDoctorDiagnoser runs `<this binary> doctor`.
func newDoctorDiagnoser() (doctorDiagnoser, error) {
	exe, err := os.Executable()
	if err != nil {
		return doctorDiagnoser{}, fmt.Errorf("diagnostic: own executable: %w", err)
	}
	return doctorDiagnoser{exe: exe, args: []string{"doctor"}}, nil
}

// Diagnose runs the doctor until it exits or ctx ends; ok is its exit status 0.
func (d doctorDiagnoser) Diagnose(ctx context.Context) (string, bool) {
	cmd := exec.CommandContext(ctx, d.exe, d.args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second // a child left holding the output pipe
	err := cmd.Run()
	report := strings.TrimRight(out.String(), "\n")
	if len(report) > maxReport {
		report = report[:maxReport] + "\n…"
	}
	header := fmt.Sprintf("cpx-agent %s — cpx-agent doctor", version)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return header + "\n\n" + report, true
	case ctx.Err() != nil:
		return fmt.Sprintf("%s\n\n%s\n\n(diagnostic interrompu : %v)", header, report, ctx.Err()), false
	case errors.As(err, &exit):
		return fmt.Sprintf("%s\n\n%s\n\n(code de sortie %d)", header, report, exit.ExitCode()), false
	default:
		return fmt.Sprintf("%s\n\n(le diagnostic n'a pas pu être lancé : %v)", header, err), false
	}
}
