//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart: exec → the first window mapped with the real engine (portal
// configured, no card), then one more run: VmRSS 3 s after the window, CPU used while idle on
// the home screen over BENCH_IDLE_SECONDS (default 60). The same method as
// internal/ui/internal/uibench, which only runs the demo engine.
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
	a := startAgent(b, env, "gui", "--lang", "fr")
	time.Sleep(3 * time.Second)
	pid := a.Cmd.Process.Pid
	rss := procStatus(pid, "VmRSS:")
	t0, c0 := time.Now(), cpuTicks(pid)
	time.Sleep(time.Duration(idle) * time.Second)
	cpu := float64(cpuTicks(pid)-c0) / 100 / time.Since(t0).Seconds() * 100 // USER_HZ = 100
	start := ms(total) / float64(b.N)
	b.ReportMetric(start, "start-ms")
	b.ReportMetric(goalColdStartMS, "goal-ms")
	b.ReportMetric(start/goalColdStartMS, "ratio")
	b.ReportMetric(float64(rss)/1024, "rss-MB")
	b.ReportMetric(float64(rss)/1024/goalRSSMB, "rss-ratio")
	b.ReportMetric(cpu, "idle-cpu-%")
	b.ReportMetric(float64(idle), "idle-s")
}

// procStatus reads a kB field of /proc/<pid>/status (-1 when absent).
func procStatus(pid int, field string) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == field {
			v, _ := strconv.Atoi(fs[1])
			return v
		}
	}
	return -1
}

// cpuTicks is utime+stime of /proc/<pid>/stat, in clock ticks.
func cpuTicks(pid int) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.Atoi(fs[11])
	k, _ := strconv.Atoi(fs[12])
	return u + k
}
