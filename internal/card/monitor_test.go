package card

import (
	"context"
	"errors"
	"testing"
	"time"
)

// next reads one event or fails after a second.
func next(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("event stream closed")
		}
		return e
	case <-time.After(time.Second):
		t.Fatal("no event within 1s")
	}
	return Event{}
}

func expect(t *testing.T, ch <-chan Event, want ...string) []Event {
	t.Helper()
	var got []Event
	for range want {
		got = append(got, next(t, ch))
	}
	if g, w := kinds(got), joinWant(want); g != w {
		t.Fatalf("events %q, want %q", g, w)
	}
	return got
}

func joinWant(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

// quiet fails if an event arrives within d.
func quiet(t *testing.T, ch <-chan Event, d time.Duration) {
	t.Helper()
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %s", e)
	case <-time.After(d):
	}
}

func TestMonitorFake(t *testing.T) {
	w := newFakeWorld()
	w.addReader("A")
	w.addReader("B")
	w.insert("A", atrOf(t, "cps4"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := newMonitor(Options{Logger: discard}, w.establish).Events(ctx)

	evs := expect(t, ch, "reader-added:A", "card-inserted:A", "reader-added:B")
	if evs[1].Card.Generation != "CPS4" {
		t.Errorf("card identified as %+v", evs[1].Card)
	}
	w.insert("B", atrOf(t, "cps3"))
	expect(t, ch, "card-inserted:B")
	// In-use/exclusive flags flicker while the middleware works: no event.
	for _, f := range []uint32{0x100, 0x80, 0x100 | 0x400, 0} {
		w.flags("B", f)
	}
	quiet(t, ch, 50*time.Millisecond)
	w.remove("B")
	expect(t, ch, "card-removed:B")
	w.settle()
	w.addReader("C")
	expect(t, ch, "reader-added:C")
	w.removeReader("A")
	expect(t, ch, "card-removed:A", "reader-removed:A")
	quiet(t, ch, 50*time.Millisecond)

	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("event after cancel")
		}
	case <-time.After(time.Second):
		t.Fatal("stream not closed after cancel")
	}
}

func TestMonitorFakeServiceRestart(t *testing.T) {
	w := newFakeWorld()
	w.addReader("A")
	w.insert("A", atrOf(t, "cps4"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := newMonitor(Options{Logger: discard, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}, w.establish).Events(ctx)
	expect(t, ch, "reader-added:A", "card-inserted:A")

	w.stop()
	evs := expect(t, ch, "service-down:", "card-removed:A", "reader-removed:A")
	if !errors.Is(evs[0].Err, ErrNoService) {
		t.Errorf("service-down error %v", evs[0].Err)
	}
	est0, _ := w.counts()
	time.Sleep(300 * time.Millisecond)
	est1, _ := w.counts()
	// Capped backoff: about 300/20 = 15 attempts, never a busy loop.
	if n := est1 - est0; n < 3 || n > 25 {
		t.Errorf("%d establish attempts in 300ms with a 20ms cap", n)
	}
	quiet(t, ch, 10*time.Millisecond) // a single service-down however long the outage
	w.start()
	expect(t, ch, "service-up:", "reader-added:A", "card-inserted:A")
}

func TestMonitorFakeServiceDownAtStart(t *testing.T) {
	w := newFakeWorld()
	w.addReader("A")
	w.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := newMonitor(Options{Logger: discard, MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond}, w.establish).Events(ctx)
	expect(t, ch, "service-down:")
	w.start()
	expect(t, ch, "service-up:", "reader-added:A")
}

func TestMonitorFakeReaderFilter(t *testing.T) {
	w := newFakeWorld()
	w.addReader("A")
	w.addReader("B")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := newMonitor(Options{Logger: discard, Reader: "B"}, w.establish).Events(ctx)
	expect(t, ch, "reader-added:B")
	w.insert("A", atrOf(t, "cps4"))
	w.remove("A")
	quiet(t, ch, 50*time.Millisecond)
	w.insert("B", atrOf(t, "cps4"))
	expect(t, ch, "card-inserted:B")
	// The filtered monitor is not woken by A at all once settled.
	quiet(t, ch, 50*time.Millisecond)
	_, s0 := w.counts()
	w.insert("A", atrOf(t, "cps3"))
	quiet(t, ch, 50*time.Millisecond)
	if _, s1 := w.counts(); s1 != s0 {
		t.Errorf("filtered monitor woke %d times for another reader", s1-s0)
	}
}

// Cancelling right after an event, while the loop is between two GetStatusChange calls,
// still ends the stream (a lost SCardCancel must not leave the monitor blocked forever).
func TestMonitorFakeCancelBetweenCalls(t *testing.T) {
	w := newFakeWorld()
	w.addReader("A")
	for range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		ch := newMonitor(Options{Logger: discard}, w.establish).Events(ctx)
		next(t, ch) // reader-added: the loop is about to call GetStatusChange again
		cancel()
		deadline := time.After(2 * time.Second)
		for open := true; open; {
			select {
			case _, open = <-ch:
			case <-deadline:
				t.Fatal("stream not closed 2s after cancel")
			}
		}
	}
}
