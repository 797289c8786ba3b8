//go:build e2e

package e2e

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// BenchmarkColdStart: exec → the first window mapped with the real engine (portal
// configured, no card), then one more run: memory 4 s after exec, about 3 s after the window (VmRSS, RssAnon,
// RssFile, PSS, and RSS split into GL driver, executable, Go heap, C heap, other anonymous,
// other files — internal/procmem, the agent printing its Go runtime figures under
// CPX_GOMEM_AFTER), then the CPU used and the threads' wake-ups (context switches) while idle
// on the home screen over BENCH_IDLE_SECONDS (default 60). The same method as internal/ui/internal/uibench (bench-ui), which runs the demo
// engine beside a bare Fyne window.
func BenchmarkColdStart(b *testing.B) {
	requireX(b)
	p := startPortal(b)
	c := startCard(b, p, "cpe")
	env := agentEnv(b, p, c)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := startAgent(b, env, "gui", "--lang", "fr")
		total += a.Mapped.Sub(a.Started)
		stop(a.Cmd)
	}
	b.StopTimer()
	idle := 60
	if v, err := strconv.Atoi(os.Getenv("BENCH_IDLE_SECONDS")); err == nil && v > 0 {
		idle = v
	}
	// The agent prints its Go figures 4 s after exec (about 3 s after the window); /proc is
	// read as soon as the line is out, so that both describe the same moment.
	a := startAgent(b, append(env, procmem.GoMemEnv+"=4s"), "gui", "--lang", "fr")
	pid := a.Cmd.Process.Pid
	gm, err := procmem.WaitGoMem(a.Stderr, 15*time.Second)
	if err != nil {
		b.Fatalf("cpx-agent printed no Go memory line (%s): %v\n%s", procmem.GoMemEnv, err, a.Stderr.String())
	}
	mem, err := procmem.Read(pid)
	if err != nil {
		b.Fatal(err)
	}
	maps := mem.Maps.WithGoHeap(gm.HeapAddr)
	use, err := procmem.MeasureIdle(pid, time.Duration(idle)*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	start := ms(total) / float64(b.N)
	b.ReportMetric(start, "start-ms")
	b.ReportMetric(goalColdStartMS, "goal-ms")
	b.ReportMetric(start/goalColdStartMS, "ratio")
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	b.ReportMetric(mb(mem.Status.VmRSS), "rss-MB")
	b.ReportMetric(mb(mem.Status.VmRSS)/goalRSSMB, "rss-ratio")
	for _, m := range []struct {
		kb   int64
		unit string
	}{
		{mem.Status.RssAnon, "anon-MB"}, {mem.Status.RssFile, "file-MB"}, {mem.Rollup.Pss, "pss-MB"},
		{maps.GL, "gl-MB"}, {maps.Exe, "exe-MB"}, {maps.GoHeap, "goheap-MB"}, {maps.Heap, "cheap-MB"},
		{maps.Anon, "otheranon-MB"}, {maps.Files, "files-MB"},
	} {
		b.ReportMetric(mb(m.kb), m.unit)
	}
	b.ReportMetric(use.CPU, "idle-cpu-%")
	b.ReportMetric(use.Wakeups, "wakeups/s")
	b.ReportMetric(float64(idle), "idle-s")
}
