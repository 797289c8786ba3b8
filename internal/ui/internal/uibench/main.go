// Command uibench measures the agent's desktop app in a real X window (run it under Xvfb,
// e.g. inside .ci/rig.sh run): cold start from exec to the window being mapped (N runs,
// detected with xdotool), resident memory 3 s after start, and CPU used while idle on the
// home screen. Each figure is printed beside its goal with a ratio (result / goal).
//
//	go run ./internal/ui/internal/uibench -bin bin/cpx-agent [-n 5] [-idle 60]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/cpx-agent", "cpx-agent binary")
	n := flag.Int("n", 5, "cold starts to time")
	idle := flag.Int("idle", envInt("BENCH_IDLE_SECONDS", 60), "seconds of idle CPU measure (env BENCH_IDLE_SECONDS)")
	title := flag.String("title", "CPx Agent", "window title to wait for")
	flag.Parse()
	if os.Getenv("DISPLAY") == "" {
		fail("no DISPLAY: run under Xvfb (xvfb-run, or .ci/rig.sh run)")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		fail("xdotool is missing: apt-get install xdotool")
	}
	args := []string{"gui", "--demo"}
	var starts []time.Duration
	for i := 0; i < *n; i++ {
		d, err := coldStart(*bin, args, *title)
		if err != nil {
			fail(err.Error())
		}
		starts = append(starts, d)
	}
	slices.Sort(starts)
	rss, anon, cpu, err := steady(*bin, args, *title, time.Duration(*idle)*time.Second)
	if err != nil {
		fail(err.Error())
	}
	fmt.Printf("bench-ui: cpx-agent gui --demo under Xvfb (%s), %d cold starts\n", os.Getenv("DISPLAY"), *n)
	fmt.Printf("%-34s %12s %10s %7s\n", "measure", "result", "goal", "ratio")
	row("cold start → window mapped, median", ms(starts[len(starts)/2]), 1000, "ms")
	row("cold start → window mapped, max", ms(starts[len(starts)-1]), 1000, "ms")
	row("resident memory (VmRSS) at 3 s", float64(rss)/1024, 80, "MB")
	fmt.Printf("%-34s %9.1f MB %10s %7s\n", "  of which anonymous (RssAnon)", float64(anon)/1024, "", "")
	row(fmt.Sprintf("idle CPU over %d s", *idle), cpu, 0.5, "%")
	fmt.Printf("runs (ms): %v\n", fmtRuns(starts))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average during the runs: %s", la)
	}
}

func row(name string, v, goal float64, unit string) {
	fmt.Printf("%-34s %9.1f %-2s %7.1f %-2s %7.2f\n", name, v, unit, goal, unit, v/goal)
}

// coldStart times exec → the window is mapped (xdotool --onlyvisible finds it).
func coldStart(bin string, args []string, title string) (time.Duration, error) {
	cmd := exec.Command(bin, args...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", bin, err)
	}
	defer stop(cmd)
	if err := waitWindow(cmd.Process.Pid, title, 30*time.Second); err != nil {
		stop(cmd)
		return 0, fmt.Errorf("%w; its stderr:\n%s", err, errOut.String())
	}
	return time.Since(t0), nil
}

// waitWindow polls every 10 ms for a viewable window of pid with the title.
func waitWindow(pid int, title string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "^"+title+"$").Output()
		if len(strings.TrimSpace(string(out))) > 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no window %q of pid %d after %v", title, pid, limit)
}

// steady starts the app once more, reads VmRSS 3 s after start, then the CPU time used over
// the idle period, as a percentage of one core.
func steady(bin string, args []string, title string, idle time.Duration) (rss, anon int, cpu float64, err error) {
	cmd := exec.Command(bin, args...)
	if err = cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer stop(cmd)
	pid := cmd.Process.Pid
	if err = waitWindow(pid, title, 30*time.Second); err != nil {
		return 0, 0, 0, err
	}
	time.Sleep(3 * time.Second)
	rss, anon = status(pid, "VmRSS:"), status(pid, "RssAnon:")
	t0, c0 := time.Now(), cpuTicks(pid)
	time.Sleep(idle)
	ticks := cpuTicks(pid) - c0
	return rss, anon, float64(ticks) / 100 / time.Since(t0).Seconds() * 100, nil // USER_HZ = 100
}

// status reads a kB field of /proc/<pid>/status.
func status(pid int, field string) int {
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
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	u, _ := strconv.Atoi(fs[11])                              // 14 utime
	k, _ := strconv.Atoi(fs[12])                              // 15 stime
	return u + k
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fmtRuns(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, strconv.FormatFloat(ms(d), 'f', 0, 64))
	}
	return strings.Join(s, " ")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench-ui:", msg)
	os.Exit(1)
}
