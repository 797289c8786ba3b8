package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const readerA = "Virtual PCD 35969 00 00"

// harness runs an engine on fakes and records every snapshot it publishes.
type harness struct {
	t     testing.TB
	e     *Engine
	tr    *trace
	mon   *fakeMonitor
	tok   *fakeToken
	p     *fakePortal
	keys  *memKeys
	prefs *MemoryPrefs
	clock *fakeClock

	mu     sync.Mutex
	snaps  []Snapshot
	wake   chan struct{}
	cursor int
	stop   func() // stops the engine (and waits for Run to return)
}

func newHarness(t testing.TB, cfg Config, tweak ...func(*Deps)) *harness {
	tr := &trace{}
	clock := &fakeClock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	h := &harness{t: t, tr: tr, clock: clock, wake: make(chan struct{}, 1),
		mon:   &fakeMonitor{ch: make(chan CardEvent), tr: tr},
		tok:   &fakeToken{cards: map[string]*fakeCard{}, tr: tr},
		p:     newFakePortal(tr, clock),
		keys:  &memKeys{m: map[string]string{}},
		prefs: NewMemoryPrefs()}
	if cfg.Workstation == "" {
		cfg.Workstation = "samu-ws-01"
	}
	d := Deps{Cards: h.mon, Token: h.tok, Portal: h.p, Keys: h.keys, Prefs: h.prefs, Clock: clock}
	for _, f := range tweak {
		f(&d)
	}
	h.e = New(cfg, d)
	h.e.observe = h.record
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.e.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Errorf("engine did not stop")
			}
		})
	}
	t.Cleanup(h.stop)
	h.settle(StepWaitingCard)
	return h
}

func (h *harness) record(s Snapshot) {
	label := "snap:" + s.Step.String()
	if s.Busy {
		label += ":busy"
	}
	h.tr.add(label)
	h.mu.Lock()
	h.snaps = append(h.snaps, s)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// wait returns the first snapshot after the cursor for which ok holds, and moves past it.
func (h *harness) wait(what string, ok func(Snapshot) bool) Snapshot {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		h.mu.Lock()
		for i := h.cursor; i < len(h.snaps); i++ {
			if ok(h.snaps[i]) {
				h.cursor = i + 1
				s := h.snaps[i]
				h.mu.Unlock()
				return s
			}
		}
		h.mu.Unlock()
		select {
		case <-h.wake:
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; steps seen: %v", what, h.steps(0))
		}
	}
}

// settle waits for step with no call in flight (nor a card reading).
func (h *harness) settle(step Step) Snapshot {
	h.t.Helper()
	return h.wait(step.String(), func(s Snapshot) bool { return s.Step == step && !s.Busy && !s.Reading })
}

func (h *harness) mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.snaps)
}

// steps is the sequence of steps published since from, consecutive repeats merged.
func (h *harness) steps(from int) []Step {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Step
	for _, s := range h.snaps[from:] {
		if len(out) == 0 || out[len(out)-1] != s.Step {
			out = append(out, s.Step)
		}
	}
	return out
}

func (h *harness) assertSteps(from int, want ...Step) {
	h.t.Helper()
	if got := h.steps(from); !slices.Equal(got, want) {
		h.t.Fatalf("steps:\n got %v\nwant %v", got, want)
	}
}

// eventually polls cond (for effects of fire-and-forget calls, such as a sign-out).
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	h.t.Fatalf("timed out waiting for %s", what)
}

// signInCard inserts a card and signs in with the right PIN; the portal owes no action.
func (h *harness) signInCard(reader string) Snapshot {
	h.t.Helper()
	h.mon.insert(reader, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	return h.settle(StepSignedIn)
}

func (h *harness) String() string { return fmt.Sprint(h.steps(0)) }

// after returns the trace lines that follow the first line with prefix.
func after(lines []string, prefix string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return lines[i+1:]
		}
	}
	return nil
}
