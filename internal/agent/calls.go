// The kernel's asynchronous calls: a port call runs in its own goroutine and its result is
// applied on the Run goroutine (post), unless the flow moved on meanwhile (newFlow).

package agent

import (
	"context"
	"time"
)

// post hands a closure to the Run goroutine (dropped once Run has returned).
func (e *Engine) post(f func()) {
	select {
	case e.msgs <- f:
	case <-e.run.ctx.Done():
	}
}

// start runs call on a worker goroutine with the flow's context and applies its result on the
// Run goroutine, unless the flow moved on meanwhile (card pulled, cancelled, signed out): a
// stale result is discarded. It marks the snapshot busy with label until then.
func (e *Engine) start(label string, call func(ctx context.Context) func()) {
	e.startFull(label, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		return call(ctx), nil
	})
}

// startFull is start with a timeout and a discard function run (on the Run goroutine)
// instead of apply when the result is stale, to release what the call returned. An empty
// label runs the call in the background: the snapshot is not marked busy, nor unmarked.
func (e *Engine) startFull(label string, timeout time.Duration, call func(ctx context.Context) (apply, discard func())) {
	r := &e.run
	if label != "" {
		r.s.Busy, r.s.BusyLabel, r.s.Err = true, label, nil
	}
	gen, ctx := r.gen, r.flowCtx
	go func() {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		apply, discard := call(cctx)
		cancel()
		e.post(func() {
			if gen != e.run.gen {
				if discard != nil {
					discard()
				}
				return
			}
			if label != "" {
				e.run.s.Busy, e.run.s.BusyLabel = false, ""
			}
			apply()
		})
	}()
}

// newFlow discards every call in flight: their results will be stale.
func (e *Engine) newFlow() {
	r := &e.run
	r.flowCancel()
	r.gen++
	r.stopReading()
	r.flowCtx, r.flowCancel = context.WithCancel(r.ctx)
}

// to moves to step, clearing the per-step fields (error, notice, busy).
func (e *Engine) to(step Step) {
	s := &e.run.s
	if s.Step != step {
		e.log.Debug("step", "from", s.Step.String(), "to", step.String())
	}
	s.Step, s.Err, s.Notice, s.Holder, s.Busy, s.BusyLabel = step, nil, "", "", false, ""
	e.run.stopReading() // a card reading still running is ignored (see identify)
	if step != StepPSC && step != StepPSCPush && step != StepPSCBrowser {
		s.PSC = nil
	}
	if step != StepSettings {
		s.Diagnostic, s.DiagnosticOK = "", false
	}
}

// fail leaves the step as it is and shows err.
func (e *Engine) fail(err error) {
	e.run.s.Err, e.run.s.Busy, e.run.s.BusyLabel = err, false, ""
	e.publish()
}
