package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/client"
)

// Result of a load phase.
type Result struct {
	OK, Failed int
	Elapsed    time.Duration
	P50, P99   time.Duration
	FirstErr   error
	CPU        time.Duration // process CPU time (user + system) during the phase: server and load generator
}

// CPUPerSignIn is the CPU time one successful sign-in cost (both sides of the handshake).
func (r Result) CPUPerSignIn() time.Duration {
	if r.OK == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.OK)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Rate is successful sign-ins per second.
func (r Result) Rate() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

type recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	fails int
	first error
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.fails++
		if r.first == nil {
			r.first = err
		}
		return
	}
	r.lat = append(r.lat, d)
}

func (r *recorder) result(elapsed time.Duration) Result {
	slices.Sort(r.lat)
	res := Result{OK: len(r.lat), Failed: r.fails, Elapsed: elapsed, FirstErr: r.first}
	if n := len(r.lat); n > 0 {
		res.P50, res.P99 = r.lat[n/2], r.lat[min(n-1, n*99/100)]
	}
	return res
}

func signIn(ctx context.Context, c *client.Client, p *Portal, i int) error {
	h := p.Holders[i%len(p.Holders)]
	_, err := c.SignInCard(ctx, h.Key, h.Cert, fmt.Sprintf("bench-%d", i%64))
	return err
}

// Closed runs workers that sign in back to back for d: the throughput.
func Closed(ctx context.Context, p *Portal, workers int, d time.Duration) (Result, error) {
	c, err := client.New(p.URL, client.Options{RootCAs: p.Roots, Timeout: 10 * time.Second})
	if err != nil {
		return Result{}, err
	}
	var rec recorder
	var n atomic.Int64
	cpu0 := cpuTime()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				err := signIn(ctx, c, p, int(n.Add(1)))
				rec.add(time.Since(t0), err)
			}
		}()
	}
	wg.Wait()
	res := rec.result(time.Since(start))
	res.CPU = cpuTime() - cpu0
	return res, nil
}

// Open starts sign-ins at a fixed rate for d, whatever the answers' pace: the latency under a
// given load (no coordinated omission).
func Open(ctx context.Context, p *Portal, rate float64, d time.Duration) (Result, error) {
	c, err := client.New(p.URL, client.Options{RootCAs: p.Roots, Timeout: 10 * time.Second})
	if err != nil {
		return Result{}, err
	}
	var rec recorder
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	cpu0 := cpuTime()
	start := time.Now()
	total := int(rate * d.Seconds())
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := signIn(ctx, c, p, i)
			rec.add(time.Since(due), err)
		}()
	}
	wg.Wait()
	res := rec.result(time.Since(start))
	res.CPU = cpuTime() - cpu0
	return res, nil
}

// Row prints one figure: measure, result, goal, ratio (≥ 1 meets the goal).
func Row(w io.Writer, measure, result, goal string, ratio float64) {
	fmt.Fprintf(w, "%-44s %14s %12s %7.2f\n", measure, result, goal, ratio)
}

// Header prints the column names.
func Header(w io.Writer) {
	fmt.Fprintf(w, "%-44s %14s %12s %7s\n", "measure", "result", "goal", "ratio")
}
