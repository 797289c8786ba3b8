package procmem

import (
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// probe keeps heapProbe's allocation on the heap.
var probe *[256]byte

// heapProbe returns a fresh heap object, whose address lies in one of Go's heap arenas.
func heapProbe() *[256]byte {
	probe = new([256]byte)
	return probe
}

// GoMemEnv names the environment variable that makes a Go program (cpx-agent gui, the Fyne
// reference) print one GoMemPrefix line on stderr once, this long after start ("3s"). Unset,
// nothing is scheduled. The line holds byte counts of the Go runtime only.
const GoMemEnv = "CPX_GOMEM_AFTER"

// GoMemPrefix starts the line of Go runtime memory figures.
const GoMemPrefix = "cpx-gomem:"

// ReportGoMemFromEnv schedules WriteGoMem(w) once, GoMemEnv after now, when GoMemEnv is set to
// a valid duration; it does nothing otherwise.
func ReportGoMemFromEnv(w io.Writer) {
	d, err := time.ParseDuration(os.Getenv(GoMemEnv))
	if err != nil || d < 0 {
		return
	}
	time.AfterFunc(d, func() { WriteGoMem(w) })
}

// WriteGoMem writes the GoMemPrefix line: every /memory/classes/ metric of runtime/metrics,
// the GC goal and the goroutine count, as name=value.
func WriteGoMem(w io.Writer) {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == "/gc/heap/goal:bytes" ||
			d.Name == "/sched/goroutines:goroutines" {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	var b strings.Builder
	b.WriteString(GoMemPrefix)
	fmt.Fprintf(&b, " heap-addr=%#x", uintptr(unsafe.Pointer(heapProbe())))
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			fmt.Fprintf(&b, " %s=%d", s.Name, s.Value.Uint64())
		}
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(w, b.String())
}

// GoMem is the Go runtime's view of its memory, in kB, from a GoMemPrefix line.
type GoMem struct {
	Total      int64  // /memory/classes/total: everything the runtime mapped
	Released   int64  // heap returned to the OS (mapped, not resident)
	Objects    int64  // live and not yet swept heap objects
	HeapFree   int64  // free heap not returned to the OS
	Stacks     int64  // goroutine stacks and OS thread stacks
	OffHeap    int64  // mapped outside the heap arenas: metadata, OS stacks, profiling, other
	Goroutines int64  // a count, not kB
	HeapAddr   uint64 // an address in the Go heap (for Breakdown.WithGoHeap)
}

// Managed is the Go-managed memory that can be resident: Total - Released (an upper bound:
// mapped pages the runtime never touched count too).
func (g GoMem) Managed() int64 { return g.Total - g.Released }

// ParseGoMem finds the last GoMemPrefix line in text (a child's stderr) and parses it.
func ParseGoMem(text string) (GoMem, error) {
	i := strings.LastIndex(text, GoMemPrefix)
	if i < 0 {
		return GoMem{}, fmt.Errorf("%w: no %s line", ErrFormat, GoMemPrefix)
	}
	line, _, _ := strings.Cut(text[i+len(GoMemPrefix):], "\n")
	v, addr := map[string]int64{}, uint64(0)
	for _, kv := range strings.Fields(line) {
		k, s, ok := strings.Cut(kv, "=")
		if k == "heap-addr" {
			a, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
			if err != nil {
				return GoMem{}, fmt.Errorf("%w: %q", ErrFormat, kv)
			}
			addr = a
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil {
			return GoMem{}, fmt.Errorf("%w: %q", ErrFormat, kv)
		}
		v[k] = n
	}
	total, ok := v["/memory/classes/total:bytes"]
	if !ok {
		return GoMem{}, fmt.Errorf("%w: no /memory/classes/total:bytes", ErrFormat)
	}
	kb := func(n string) int64 { return v[n] / 1024 }
	g := GoMem{Total: total / 1024, Released: kb("/memory/classes/heap/released:bytes"),
		Objects:    kb("/memory/classes/heap/objects:bytes"),
		HeapFree:   kb("/memory/classes/heap/free:bytes"),
		Stacks:     kb("/memory/classes/heap/stacks:bytes") + kb("/memory/classes/os-stacks:bytes"),
		Goroutines: v["/sched/goroutines:goroutines"], HeapAddr: addr}
	var heap int64
	for k, n := range v {
		if strings.HasPrefix(k, "/memory/classes/heap/") {
			heap += n
		}
	}
	g.OffHeap = (total - heap) / 1024
	return g, nil
}
