package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/bench"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// BenchmarkPSC (make bench-psc) prints, on SQLite with the simulator in-process on HTTPS
// loopback (tls_client_auth, 1 s poll interval):
//   - the time from the approval on the phone to the agent holding its session, approvals
//     at random moments of the interval, beside the interval (goal: ≤ interval + 50 ms);
//   - PSC sign-ins per second with 32 sign-ins in flight (auto-approval; the simulator's provider keeps 100 sessions), and the CPU time of
//     one (portal + simulator + agents: one process), beside card sign-ins on the same run.
func BenchmarkPSC(b *testing.B) {
	r := portaltest.StartPSC(b, store.SQLite, portaltest.PSCRigOptions{})
	pc, err := client.New(r.URL, client.Options{RootCAs: r.Roots, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	interval := time.Second
	fmt.Printf("PSC benchmark: portal + cpx-pscsim in one process, SQLite, poll interval %v, %d CPU(s)\n", interval, runtime.NumCPU())
	bench.Header(os.Stdout)
	lat := approvalLatencies(b, r, pc, 12)
	worst, mean := slices.Max(lat), mean(lat)
	bench.Row(os.Stdout, "approval → session, mean (12 approvals)", msf(mean), "-", 0)
	bench.Row(os.Stdout, "approval → session, worst", msf(worst), "<= "+msf(interval+50*time.Millisecond),
		float64(interval+50*time.Millisecond)/float64(worst))
	rate, cpu := pscRate(b, r, 32, 10*time.Second)
	card := cardRate(b, 10*time.Second)
	cores := float64(runtime.NumCPU())
	// Each sign-in waits one poll interval for PSC: 32 in flight cannot exceed 32/interval.
	bound := 32 / interval.Seconds()
	bench.Row(os.Stdout, "PSC sign-ins/s (32 in flight)", fmt.Sprintf("%.0f/s", rate), fmt.Sprintf("bound %.0f/s", bound), rate/bound)
	bench.Row(os.Stdout, "PSC CPU per sign-in (portal+sim+agent)", msf(cpu), "-", 0)
	bench.Row(os.Stdout, fmt.Sprintf("PSC CPU-bound capacity on %.0f cores", cores), fmt.Sprintf("%.0f/s", cores*float64(time.Second)/float64(cpu)), "-", 0)
	bench.Row(os.Stdout, "card sign-ins/s, same run (32 concurrent)", fmt.Sprintf("%.0f/s", card.Rate()), "-", 0)
	bench.Row(os.Stdout, "card CPU per sign-in (portal+generator)", msf(card.CPUPerSignIn()), "-", 0)
	bench.Row(os.Stdout, "PSC / card sign-ins per second", fmt.Sprintf("%.2f", rate/card.Rate()), "-", 0)
}

// approvalLatencies approves n pushes, each at a random moment of the poll interval, and
// measures until the agent's long poll returns the session.
func approvalLatencies(b *testing.B, r *portaltest.PSCRig, pc *client.Client, n int) []time.Duration {
	var out []time.Duration
	for range n {
		st, err := pc.StartPSC(context.Background(), physician, "poste-bench")
		if err != nil {
			b.Fatal(err)
		}
		p, err := r.Sim.WaitPending(context.Background(), physician)
		if err != nil {
			b.Fatal(err)
		}
		got := make(chan time.Time, 1)
		go func() {
			for {
				w, err := pc.WaitPSC(context.Background(), st.RequestID)
				if err != nil || w.Status == api.PSCDone {
					if err != nil {
						b.Error(err)
					}
					got <- time.Now()
					return
				}
			}
		}()
		time.Sleep(time.Duration(rand.Int64N(int64(time.Second))) + 200*time.Millisecond)
		t0 := time.Now()
		if err := r.Sim.Approve(p.AuthReqID); err != nil {
			b.Fatal(err)
		}
		out = append(out, (<-got).Sub(t0))
	}
	return out
}

// pscRate runs inflight sign-ins at a time for d with the phone approving at once.
func pscRate(b *testing.B, r *portaltest.PSCRig, inflight int, d time.Duration) (float64, time.Duration) {
	if err := r.Sim.SetKnobs(pscsim.Knobs{Approve: pscsim.ApproveAuto}); err != nil {
		b.Fatal(err)
	}
	defer r.Sim.SetKnobs(pscsim.Knobs{})
	pc, err := client.New(r.URL, client.Options{RootCAs: r.Roots, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	var ok, failed atomic.Int64
	stop := time.Now().Add(d)
	cpu0, t0 := cpuNow(), time.Now()
	var wg sync.WaitGroup
	for range inflight {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if err := pscSignIn(pc); err != nil {
					if failed.Add(1) == 1 {
						b.Logf("first failure: %v", err)
					}
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(t0), cpuNow()-cpu0
	st := r.Sim.Stats()
	fmt.Printf("simulator: %d pushes, %d polls, %d slow_down, %d too fast\n", st.Pushes, st.Polls, st.SlowDownSent, st.TooFast)
	if failed.Load() > 0 || ok.Load() == 0 {
		if es, err := r.Store.AuditTail(context.Background(), 400); err == nil {
			for _, e := range es {
				if e.Result == store.ResultRefused {
					b.Logf("refused: %s", e.Detail)
					break
				}
			}
		}
		b.Fatalf("%d PSC sign-ins failed, %d succeeded", failed.Load(), ok.Load())
	}
	return float64(ok.Load()) / elapsed.Seconds(), cpu / time.Duration(ok.Load())
}

func pscSignIn(pc *client.Client) error {
	st, err := pc.StartPSC(context.Background(), physician, "poste-bench")
	if err != nil {
		return err
	}
	for {
		w, err := pc.WaitPSC(context.Background(), st.RequestID)
		if err != nil || w.Status == api.PSCDone {
			return err
		}
	}
}

// cardRate is the card benchmark's closed loop (internal/portal/bench) on the same run.
func cardRate(b *testing.B, d time.Duration) bench.Result {
	p, err := bench.StartPortal(context.Background(), "", 16, false)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	res, err := bench.Closed(context.Background(), p, 32, d)
	if err != nil || res.Failed > 0 {
		b.Fatalf("card sign-ins: %v (%d failed)", err, res.Failed)
	}
	return res
}

func mean(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
