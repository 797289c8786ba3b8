package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

var _ agent.Diagnoser = doctorDiagnoser{}

// TestDoctorHelperProcess stands in for `cpx-agent doctor` in TestDoctorDiagnoser: it prints
// a report on stdout and stderr and exits with CPX_DOCTOR_HELPER_EXIT (or sleeps).
func TestDoctorHelperProcess(t *testing.T) {
	code := os.Getenv("CPX_DOCTOR_HELPER_EXIT")
	if code == "" {
		return
	}
	fmt.Println("pcscd      OK")
	fmt.Fprintln(os.Stderr, "portail    ÉCHEC  délai dépassé")
	if code == "sleep" {
		time.Sleep(time.Minute)
	}
	n, _ := strconv.Atoi(code)
	os.Exit(n)
}

func helperDiagnoser(t *testing.T, exit string) doctorDiagnoser {
	t.Setenv("CPX_DOCTOR_HELPER_EXIT", exit)
	return doctorDiagnoser{exe: os.Args[0], args: []string{"-test.run=^TestDoctorHelperProcess$"}}
}

// TestDoctorDiagnoser runs a real child process: its whole output is the report, its exit
// status the verdict; a doctor that hangs is stopped by the context.
func TestDoctorDiagnoser(t *testing.T) {
	report, ok := helperDiagnoser(t, "0").Diagnose(context.Background())
	if !ok || !strings.Contains(report, "pcscd      OK") || !strings.Contains(report, "portail    ÉCHEC") ||
		!strings.HasPrefix(report, "cpx-agent "+version) {
		t.Fatalf("exit 0: ok %v, report %q", ok, report)
	}
	report, ok = helperDiagnoser(t, "3").Diagnose(context.Background())
	if ok || !strings.Contains(report, "(code de sortie 3)") || !strings.Contains(report, "portail") {
		t.Fatalf("exit 3: ok %v, report %q", ok, report)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	report, ok = helperDiagnoser(t, "sleep").Diagnose(ctx)
	if ok || !strings.Contains(report, "diagnostic interrompu") || time.Since(start) > 20*time.Second {
		t.Fatalf("hung doctor: ok %v after %v, report %q", ok, time.Since(start), report)
	}
	report, ok = doctorDiagnoser{exe: "/nonexistent/cpx-agent", args: []string{"doctor"}}.Diagnose(context.Background())
	if ok || !strings.Contains(report, "n'a pas pu être lancé") {
		t.Fatalf("missing binary: ok %v, report %q", ok, report)
	}
}

// TestDoctorDiagnoserIsThisBinary: the gui's diagnostic runs this executable's doctor.
func TestDoctorDiagnoserIsThisBinary(t *testing.T) {
	d, err := newDoctorDiagnoser()
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if d.exe != self || strings.Join(d.args, " ") != "doctor" {
		t.Fatalf("diagnoser runs %s %v, want %s doctor", d.exe, d.args, self)
	}
}

// TestDoctorDiagnoserRealDoctor: the settings' diagnostic runs the real `doctor` subcommand
// (through this binary's command table, in a child process) on the rig's pcscd: the report
// is the doctor's text, pcscd and the readers included.
func TestDoctorDiagnoserRealDoctor(t *testing.T) {
	testrig.RequirePCSCD(t)
	t.Setenv("CPX_GUI_HELPER_ARGS", "doctor")
	d := doctorDiagnoser{exe: os.Args[0], args: []string{"-test.run=^TestGUITraceHelperProcess$"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report, ok := d.Diagnose(ctx)
	for _, want := range []string{"[ok  ] pcscd", "readers", "clock"} {
		if !strings.Contains(report, want) {
			t.Fatalf("report lacks %q:\n%s", want, report)
		}
	}
	if failed := strings.Contains(report, "[fail]"); failed == ok {
		t.Fatalf("verdict ok=%v but the report says failed=%v:\n%s", ok, failed, report)
	}
}
