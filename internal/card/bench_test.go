//go:build linux

package card

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ebfe/scard"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// benchPort is the vpcd port reserved for benchmarks (docs/architecture.md).
const benchPort = 35970

// BenchmarkCardMonitor measures insert→event and remove→event latency of our Monitor beside
// a bare SCardGetStatusChange loop (the reference) watching the same reader at the same time,
// so both see the same pcscd polls (pcscd polls vpcd about every 400 ms: the absolute figures
// are dominated by that; the ratio is our overhead). Run: make bench-card-monitor.
func BenchmarkCardMonitor(b *testing.B) {
	const n = 40
	b.StopTimer()
	card := testrig.StartCard(b, benchPort, "cpe", testrig.Removed())
	reader := card.Reader
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ours := NewMonitor(Options{Reader: reader}).Events(ctx)
	ref := referenceLoop(ctx, b, reader)
	for e := range ours { // initial reader-added
		if e.Kind == ReaderAdded {
			break
		}
	}
	var insOurs, insRef, rmOurs, rmRef []time.Duration
	for range n {
		for _, step := range []struct {
			do         func() error
			kind       EventKind
			ours, refs *[]time.Duration
		}{
			{card.Insert, CardInserted, &insOurs, &insRef},
			{card.Remove, CardRemoved, &rmOurs, &rmRef},
		} {
			t0 := time.Now()
			if err := step.do(); err != nil {
				b.Fatal(err)
			}
			o, r := waitBoth(b, ours, ref, step.kind)
			*step.ours = append(*step.ours, o.Sub(t0))
			*step.refs = append(*step.refs, r.Sub(t0))
		}
	}
	b.ReportMetric(float64(pct(insOurs, 50).Microseconds())/1000, "ours-insert-p50-ms")
	b.ReportMetric(float64(pct(insRef, 50).Microseconds())/1000, "ref-insert-p50-ms")
	w := os.Stdout
	fmt.Fprintf(w, "\ncard monitor latency on %q, n=%d each (pcscd polls vpcd ~400 ms)\n", reader, n)
	fmt.Fprintf(w, "%-16s %10s %10s %10s %10s %9s %9s %12s\n", "measure", "ours p50", "ours p95", "ref p50", "ref p95", "ratio p50", "ratio p95", "ours-ref p50")
	row(w, "insert→event", insOurs, insRef)
	row(w, "remove→event", rmOurs, rmRef)
	fmt.Fprintln(w, "goal: ratio ≤ 1.10")
}

func row(w *os.File, name string, ours, ref []time.Duration) {
	r50 := float64(pct(ours, 50)) / float64(pct(ref, 50))
	r95 := float64(pct(ours, 95)) / float64(pct(ref, 95))
	// Both loops see the same pcscd poll, so the per-insertion difference is our overhead.
	diff := make([]time.Duration, len(ours))
	for i := range ours {
		diff[i] = ours[i] - ref[i]
	}
	fmt.Fprintf(w, "%-16s %10s %10s %10s %10s %8.3fx %8.3fx %12s\n", name,
		ms(pct(ours, 50)), ms(pct(ours, 95)), ms(pct(ref, 50)), ms(pct(ref, 95)), r50, r95, ms(pct(diff, 50)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

type refEvent struct {
	present bool
	at      time.Time
}

// referenceLoop is the bare PC/SC loop: one reader, SCardGetStatusChange(INFINITE) through
// github.com/ebfe/scard, a timestamp as soon as the call returns with a presence change.
func referenceLoop(ctx context.Context, b *testing.B, reader string) <-chan refEvent {
	c, err := scard.EstablishContext()
	if err != nil {
		b.Fatal(err)
	}
	out := make(chan refEvent, 4)
	context.AfterFunc(ctx, func() { c.Cancel() })
	go func() {
		defer c.Release()
		rs := []scard.ReaderState{{Reader: reader, CurrentState: scard.StateUnaware}}
		last := false
		for {
			if err := c.GetStatusChange(rs, -1); err != nil {
				if !errors.Is(err, scard.ErrCancelled) {
					b.Error(err)
				}
				return
			}
			now, present := time.Now(), rs[0].EventState&scard.StatePresent != 0
			if present != last {
				out <- refEvent{present, now}
				last = present
			}
			rs[0].CurrentState = rs[0].EventState &^ scard.StateChanged
		}
	}()
	return out
}

// waitBoth waits for our event of kind and the reference's matching change.
func waitBoth(b *testing.B, ours <-chan Event, ref <-chan refEvent, kind EventKind) (o, r time.Time) {
	deadline := time.After(10 * time.Second)
	for o.IsZero() || r.IsZero() {
		select {
		case e := <-ours:
			if e.Kind == kind {
				o = time.Now()
			}
		case e := <-ref:
			if e.present == (kind == CardInserted) {
				r = e.at
			}
		case <-deadline:
			b.Fatalf("%s not seen by both within 10s (ours %v, reference %v)", kind, !o.IsZero(), !r.IsZero())
		}
	}
	return o, r
}
