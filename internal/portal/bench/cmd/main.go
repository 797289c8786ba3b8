// Command cmd runs the card sign-in benchmark of cpx-portal (see package bench) on SQLite and,
// when CPX_TEST_PG_DSN is set (or -pg), on PostgreSQL, and prints measure, result, goal and
// ratio. It exits 1 when a run fails outright (errors), not when a goal is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/bench"
)

func main() {
	dur := flag.Duration("d", 10*time.Second, "duration of each phase")
	workers := flag.Int("workers", 32, "concurrent sign-ins in the throughput phase")
	goal := flag.Float64("goal", 300, "goal in sign-ins per second")
	p99Goal := flag.Duration("p99", 250*time.Millisecond, "p99 goal at half the goal rate")
	ecdsaServer := flag.Bool("ecdsa-server", false, "give the portal an ECDSA P-256 certificate instead of RSA-2048 (client keys stay RSA-2048)")
	pg := flag.String("pg", os.Getenv("CPX_TEST_PG_DSN"), "PostgreSQL DSN to create a scratch database with (\"\" skips PostgreSQL)")
	flag.Parse()
	serverKey := "RSA-2048"
	if *ecdsaServer {
		serverKey = "ECDSA P-256"
	}
	fmt.Printf("cpx-portal card sign-in benchmark: RSA-2048 client keys, %s server key, full mTLS handshake + session per sign-in, GOMAXPROCS=%d, %d CPU(s)\n",
		serverKey, runtime.GOMAXPROCS(0), runtime.NumCPU())
	bench.Header(os.Stdout)
	rc := 0
	runs := []struct{ name, dsn string }{{"sqlite", ""}}
	if *pg != "" {
		runs = append(runs, struct{ name, dsn string }{"postgres", *pg})
	} else {
		fmt.Println("postgres: skipped (no CPX_TEST_PG_DSN)")
		rc = 1
	}
	for _, r := range runs {
		if err := run(r.name, r.dsn, *dur, *workers, *goal, *p99Goal, *ecdsaServer); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", r.name, err)
			rc = 1
		}
	}
	os.Exit(rc)
}

func run(name, dsn string, d time.Duration, workers int, goal float64, p99Goal time.Duration, ecdsaServer bool) error {
	ctx := context.Background()
	p, err := bench.StartPortal(ctx, dsn, 16, ecdsaServer)
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := bench.Closed(ctx, p, 4, time.Second); err != nil { // warm-up
		return err
	}
	fmt.Printf("%s: load average before: %s\n", name, loadavg())
	thr, err := bench.Closed(ctx, p, workers, d)
	if err != nil {
		return err
	}
	bench.Row(os.Stdout, fmt.Sprintf("%s: card sign-ins/s (%d concurrent)", name, workers), fmt.Sprintf("%.0f/s", thr.Rate()), fmt.Sprintf(">= %.0f/s", goal), thr.Rate()/goal)
	if err := floor(ctx, p, name, workers, d, thr); err != nil {
		return err
	}
	cpu := thr.CPUPerSignIn()
	cores := float64(runtime.NumCPU())
	if cpu > 0 {
		capacity := cores * float64(time.Second) / float64(cpu)
		bench.Row(os.Stdout, name+": CPU per sign-in (server + generator)", ms(cpu), "-", 0)
		bench.Row(os.Stdout, fmt.Sprintf("%s: CPU-bound capacity on %.0f cores", name, cores), fmt.Sprintf("%.0f/s", capacity), fmt.Sprintf(">= %.0f/s", goal), capacity/goal)
	}
	bench.Row(os.Stdout, name+": p50 latency at saturation", ms(thr.P50), "-", 0)
	lat, err := bench.Open(ctx, p, goal/2, d)
	if err != nil {
		return err
	}
	bench.Row(os.Stdout, fmt.Sprintf("%s: p50 latency at %.0f/s", name, goal/2), ms(lat.P50), "-", 0)
	ratio := 0.0
	if lat.P99 > 0 {
		ratio = float64(p99Goal) / float64(lat.P99)
	}
	bench.Row(os.Stdout, fmt.Sprintf("%s: p99 latency at %.0f/s", name, goal/2), ms(lat.P99), "< "+ms(p99Goal), ratio)
	bench.Row(os.Stdout, fmt.Sprintf("%s: failed sign-ins at %.0f/s", name, goal/2), fmt.Sprintf("%d/%d", lat.Failed, lat.OK+lat.Failed), "0", 0)
	if lat.FirstErr != nil {
		fmt.Printf("%s: first failure at %.0f/s: %v\n", name, goal/2, lat.FirstErr)
	}
	fmt.Printf("%s: load average after: %s\n", name, loadavg())
	if thr.Failed > 0 {
		return fmt.Errorf("%d of %d sign-ins failed at saturation: %v", thr.Failed, thr.OK+thr.Failed, thr.FirstErr)
	}
	return nil
}

// beforeHardening is the card figure on SQLite before issue 14's hardening (same machine,
// same benchmark): the hardening must not have cost the card path anything.
const beforeHardening = 524.0

// floor runs the same closed loop against a bare crypto/tls server doing the same RSA-2048
// mutual-TLS handshake (bench.StartBare), in the same run, and prints the portal's rate beside
// it (goal: at least 0.9 of the bare server) and beside the figure before the hardening.
func floor(ctx context.Context, p *bench.Portal, name string, workers int, d time.Duration, thr bench.Result) error {
	bare, err := bench.StartBare(p)
	if err != nil {
		return err
	}
	defer bare.Close()
	res, err := bench.Closed(ctx, bare, workers, d)
	if err != nil {
		return err
	}
	if res.Failed > 0 {
		return fmt.Errorf("bare server: %d failed: %v", res.Failed, res.FirstErr)
	}
	cores := float64(runtime.NumCPU())
	capacity := func(r bench.Result) float64 { return cores * float64(time.Second) / float64(max(r.CPUPerSignIn(), 1)) }
	bench.Row(os.Stdout, name+": bare crypto/tls mTLS handshakes/s", fmt.Sprintf("%.0f/s", res.Rate()), "-", 0)
	bench.Row(os.Stdout, name+": portal / bare, measured wall clock", fmt.Sprintf("%.2f", thr.Rate()/res.Rate()), ">= 0.90", thr.Rate()/res.Rate()/0.9)
	bench.Row(os.Stdout, name+": bare CPU per handshake (server + generator)", ms(res.CPUPerSignIn()), "-", 0)
	bench.Row(os.Stdout, name+": portal / bare, implied by CPU time", fmt.Sprintf("%.2f", capacity(thr)/capacity(res)), ">= 0.90", capacity(thr)/capacity(res)/0.9)
	if name == "sqlite" {
		bench.Row(os.Stdout, name+": measured now / before hardening", fmt.Sprintf("%.0f/s", thr.Rate()), fmt.Sprintf("%.0f/s", beforeHardening), thr.Rate()/beforeHardening)
	}
	return nil
}

// loadavg is the 1-minute load average: a loaded machine explains low figures.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
