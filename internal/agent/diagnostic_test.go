package agent

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// fakeDiagnoser returns report after gate is closed (nil gate: at once), or ctx's end.
type fakeDiagnoser struct {
	report string
	ok     bool
	gate   chan struct{}
	runs   atomic.Int32
}

func (f *fakeDiagnoser) Diagnose(ctx context.Context) (string, bool) {
	f.runs.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return "interrupted", false
		}
	}
	return f.report, f.ok
}

// TestDiagnostic: "Lancer le diagnostic" runs the Diagnoser (busy meanwhile, a second click
// ignored), the report lands in the snapshot, leaving the settings clears it.
func TestDiagnostic(t *testing.T) {
	fd := &fakeDiagnoser{report: "pcscd: OK\nlecteurs: 1\nportail: injoignable", ok: false, gate: make(chan struct{})}
	h := newHarness(t, Config{}, func(d *Deps) { d.Diagnoser = fd })
	h.e.Do(RunDiagnostic{}) // not on the home screen
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	h.e.Do(RunDiagnostic{})
	s := h.wait("diagnosing", func(s Snapshot) bool { return s.Busy })
	if s.Step != StepSettings || s.BusyLabel != BusyDiagnosing || s.Diagnostic != "" {
		t.Fatalf("while diagnosing: %+v", s)
	}
	h.e.Do(RunDiagnostic{}) // busy: ignored
	close(fd.gate)
	s = h.settle(StepSettings)
	if s.Diagnostic != fd.report || s.DiagnosticOK || s.Err != nil {
		t.Fatalf("after the diagnostic: report %q ok %v err %v", s.Diagnostic, s.DiagnosticOK, s.Err)
	}
	if n := fd.runs.Load(); n != 1 {
		t.Fatalf("Diagnose ran %d times, want 1", n)
	}
	h.e.Do(Cancel{})
	if s = h.settle(StepWaitingCard); s.Diagnostic != "" {
		t.Fatalf("report kept on the home screen: %q", s.Diagnostic)
	}
	h.e.Do(OpenSettings{})
	if s = h.settle(StepSettings); s.Diagnostic != "" {
		t.Fatalf("old report shown when the settings open again: %q", s.Diagnostic)
	}
}

// TestDiagnosticCancelled: Esc while the doctor runs leaves the settings and drops its report.
func TestDiagnosticCancelled(t *testing.T) {
	fd := &fakeDiagnoser{report: "tout va bien", ok: true, gate: make(chan struct{})}
	h := newHarness(t, Config{}, func(d *Deps) { d.Diagnoser = fd })
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	h.e.Do(RunDiagnostic{})
	h.wait("diagnosing", func(s Snapshot) bool { return s.Busy })
	h.e.Do(Cancel{})
	h.settle(StepWaitingCard)
	h.e.Do(OpenSettings{})
	if s := h.settle(StepSettings); s.Diagnostic != "" || s.Busy {
		t.Fatalf("cancelled diagnostic still shown: %+v", s)
	}
}

// TestDiagnosticNotConfigured: without a Diagnoser the button says so.
func TestDiagnosticNotConfigured(t *testing.T) {
	h := newHarness(t, Config{})
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	h.e.Do(RunDiagnostic{})
	s := h.wait("error", func(s Snapshot) bool { return s.Err != nil })
	if !errors.Is(s.Err, ErrNotConfigured) || s.Step != StepSettings || s.Busy {
		t.Fatalf("no diagnoser: %+v", s)
	}
}
