package main

import (
	"fmt"
	"math"
)

// Goals of issue 5 for the desktop app.
const (
	goalStartMS = 1000
	goalRSSMB   = 80
	goalIdleCPU = 0.5 // % of one core: "about 0"
)

// line is one row of the table: the agent's figure, the reference's, and the goal (0: none).
type line struct {
	name       string
	agent, ref float64
	unit       string
	goal       float64
}

// table prints the agent beside the bare Fyne reference: agent − ref is what the agent adds,
// ratio is agent / goal.
func table(a, r result, idle int) {
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	rows := []line{
		{"cold start -> window mapped, median", ms(a.starts[len(a.starts)/2]), ms(r.starts[len(r.starts)/2]), "ms", goalStartMS},
		{"cold start -> window mapped, max", ms(a.starts[len(a.starts)-1]), ms(r.starts[len(r.starts)-1]), "ms", goalStartMS},
		{"resident memory (VmRSS)", mb(a.mem.Status.VmRSS), mb(r.mem.Status.VmRSS), "MB", goalRSSMB},
		{"  RssAnon", mb(a.mem.Status.RssAnon), mb(r.mem.Status.RssAnon), "MB", 0},
		{"  RssFile", mb(a.mem.Status.RssFile), mb(r.mem.Status.RssFile), "MB", 0},
		{"proportional set size (PSS)", mb(a.mem.Rollup.Pss), mb(r.mem.Rollup.Pss), "MB", 0},
		{"RSS: GL driver (libLLVM, *_dri, libgallium)", mb(a.mem.Maps.GL), mb(r.mem.Maps.GL), "MB", 0},
		{"RSS: the executable", mb(a.mem.Maps.Exe), mb(r.mem.Maps.Exe), "MB", 0},
		{"RSS: Go heap arenas", mb(a.mem.Maps.GoHeap), mb(r.mem.Maps.GoHeap), "MB", 0},
		{"  Go heap objects, live + unswept (runtime)", mb(a.gomem.Objects), mb(r.gomem.Objects), "MB", 0},
		{"  Go goroutine + OS stacks (runtime)", mb(a.gomem.Stacks), mb(r.gomem.Stacks), "MB", 0},
		{"RSS: C heap ([heap]: Mesa, LLVM, X11 malloc)", mb(a.mem.Maps.Heap), mb(r.mem.Maps.Heap), "MB", 0},
		{"RSS: other anonymous (Go metadata, C mmap)", mb(a.mem.Maps.Anon), mb(r.mem.Maps.Anon), "MB", 0},
		{"  Go off-heap metadata, mapped (runtime)", mb(a.gomem.OffHeap), mb(r.gomem.OffHeap), "MB", 0},
		{"RSS: other files (libc, X11, GLFW deps…)", mb(a.mem.Maps.Files), mb(r.mem.Maps.Files), "MB", 0},
		{"goroutines", float64(a.gomem.Goroutines), float64(r.gomem.Goroutines), "", 0},
		{fmt.Sprintf("idle CPU over %d s", idle), a.idle.CPU, r.idle.CPU, "%", goalIdleCPU},
		{"idle wake-ups (context switches, all threads)", a.idle.Wakeups, r.idle.Wakeups, "/s", 0},
	}
	fmt.Printf("%-46s %10s %10s %10s %8s %10s %7s\n", "measure", "cpx-agent", "fyneref", "agent-ref", "x ref", "goal", "ratio")
	for _, l := range rows {
		goal, ratio := "", ""
		if l.goal > 0 {
			goal, ratio = fmt.Sprintf("%.1f %s", l.goal, l.unit), fmt.Sprintf("%.2f", l.agent/l.goal)
		}
		x := ""
		if l.ref != 0 && !math.IsNaN(l.agent/l.ref) {
			x = fmt.Sprintf("%.2f", l.agent/l.ref)
		}
		fmt.Printf("%-46s %7.1f %-2s %7.1f %-2s %7.1f %-2s %8s %10s %7s\n", l.name, l.agent, l.unit, l.ref, l.unit,
			l.agent-l.ref, l.unit, x, goal, ratio)
	}
}
