package agent

import (
	"context"
	"time"
)

// diagnosticTimeout bounds one diagnostic: the doctor's checks include a portal round trip and
// PC/SC calls, each with its own shorter bound.
const diagnosticTimeout = 2 * time.Minute

// openSettings shows the settings screen, remembering where to come back.
func (e *Engine) openSettings() {
	r := &e.run
	r.from = r.s.Step
	e.to(StepSettings)
	r.s.Diagnostic, r.s.DiagnosticOK = "", false
	e.publish()
}

// runDiagnostic is "Lancer le diagnostic" on the settings screen: the Diagnoser runs on a
// worker goroutine (busy meanwhile) and its report lands in Snapshot.Diagnostic.
func (e *Engine) runDiagnostic() {
	if e.d.Diagnoser == nil {
		e.fail(ErrNotConfigured)
		return
	}
	d := e.d.Diagnoser
	e.startFull(BusyDiagnosing, diagnosticTimeout, func(ctx context.Context) (func(), func()) {
		report, ok := d.Diagnose(ctx)
		return func() {
			if e.run.s.Step == StepSettings {
				e.run.s.Diagnostic, e.run.s.DiagnosticOK = report, ok
			}
			e.publish()
		}, nil
	})
	e.publish()
}
