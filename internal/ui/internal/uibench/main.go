// Command uibench measures the agent's desktop app in a real X window (run it under Xvfb,
// e.g. inside .ci/rig.sh run) beside a bare Fyne window of the same size
// (internal/ui/internal/fyneref): cold start from exec to the window being mapped (N runs,
// detected with xdotool), memory 4 s after exec, about 3 s after the window (VmRSS, RssAnon, RssFile, PSS, and
// resident memory split into GL driver, executable, Go-managed, C heap, rest), and CPU used
// while idle on the home screen. Each figure of the agent is printed beside the reference's
// and beside its goal with a ratio (result / goal).
//
//	go run ./internal/ui/internal/uibench -bin bin/cpx-agent -ref bin/fyneref [-n 5] [-idle 60]
package main

import (
	"debug/buildinfo"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/cpx-agent", "cpx-agent binary")
	ref := flag.String("ref", "bin/fyneref", "bare Fyne reference binary (internal/ui/internal/fyneref)")
	n := flag.Int("n", 5, "cold starts to time")
	idle := flag.Int("idle", envInt("BENCH_IDLE_SECONDS", 60), "seconds of idle CPU measure (env BENCH_IDLE_SECONDS)")
	after := flag.Duration("after", 4*time.Second, "memory is read this long after exec (the window is mapped 0.5–1 s after exec)")
	step := flag.String("demo-step", "home", "demo screen the agent opens on")
	rounds := flag.Int("rounds", 3, "sign-in round trips of the after-session memory measure (0: none)")
	flag.Parse()
	if os.Getenv("DISPLAY") == "" {
		fail("no DISPLAY: run under Xvfb (xvfb-run, or .ci/rig.sh run)")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		fail("xdotool is missing: apt-get install xdotool")
	}
	progs := []program{
		{name: "cpx-agent", bin: *bin, args: []string{"gui", "--demo", "--demo-step", *step}, title: "CPx Agent"},
		{name: "fyneref", bin: *ref, title: "Fyne reference"},
	}
	var res [2]result
	for i, p := range progs {
		r, err := measure(p, *n, *after, time.Duration(*idle)*time.Second)
		if err != nil {
			fail(err.Error())
		}
		res[i] = r
	}
	fmt.Printf("bench-ui: cpx-agent gui --demo --demo-step %s beside a bare Fyne window (540x500, label + button),\n", *step)
	fmt.Printf("under Xvfb (%s), %d cold starts each, memory %v after exec, idle CPU over %d s\n",
		os.Getenv("DISPLAY"), *n, *after, *idle)
	fmt.Printf("build tags: cpx-agent %q, fyneref %q\n", buildTags(*bin), buildTags(*ref))
	table(res[0], res[1], *idle)
	if *rounds > 0 {
		before, after, err := afterSession(*bin, *rounds, 7*time.Second)
		if err != nil {
			fail("after-session measure: " + err.Error())
		}
		fmt.Printf("cpx-agent back on home 7 s after %d sign-in round trips (demo, keyboard): VmRSS %.1f MB, RssAnon %.1f MB (%.1f MB before the first)\n",
			*rounds, float64(after.VmRSS)/1024, float64(after.RssAnon)/1024, float64(before)/1024)
	}
	fmt.Printf("cold starts, cpx-agent (ms): %s; fyneref: %s\n", fmtRuns(res[0].starts), fmtRuns(res[1].starts))
	for i, r := range res {
		fmt.Printf("largest mappings of %s (MB):%s\n", progs[i].name, topMaps(r))
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average after the runs: %s", la)
	}
}

// buildTags is the -tags setting a Go binary was built with ("" when none).
func buildTags(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "unknown: " + err.Error()
	}
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			return s.Value
		}
	}
	return ""
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fmtRuns(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, strconv.FormatFloat(ms(d), 'f', 0, 64))
	}
	return strings.Join(s, " ")
}

func topMaps(r result) string {
	var b strings.Builder
	for _, m := range r.mem.Maps.Top {
		fmt.Fprintf(&b, " %s %.1f,", m.Name, float64(m.Rss)/1024)
	}
	return strings.TrimSuffix(b.String(), ",")
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
