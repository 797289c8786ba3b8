// Package procmem reads what a Linux process costs from /proc: resident memory
// (/proc/PID/status), proportional set size (smaps_rollup), resident memory per kind of
// mapping (smaps: GL driver, executable, C heap, anonymous, other files) and CPU time
// (/proc/PID/stat). It also writes and parses the one line of Go runtime memory figures
// (runtime/metrics) a Go program prints when GoMemEnv is set, so that a benchmark can split
// anonymous memory into Go-managed and C allocations. Benchmarks of the desktop app use it
// (internal/ui/internal/uibench, internal/e2e); the app itself only writes the Go line.
// Every size is in kB (1024 bytes), as /proc gives it.
package procmem

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrFormat reports /proc text that does not have the expected shape.
var ErrFormat = errors.New("procmem: unexpected /proc format")

// Status holds the memory fields of /proc/PID/status, in kB.
type Status struct {
	VmRSS, VmHWM, RssAnon, RssFile, RssShmem int64
}

// ReadStatus reads /proc/PID/status.
func ReadStatus(pid int) (Status, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Status{}, fmt.Errorf("procmem: status: %w", err)
	}
	defer f.Close()
	return ParseStatus(f)
}

// ParseStatus parses the text of /proc/PID/status; VmRSS must be present.
func ParseStatus(r io.Reader) (Status, error) {
	var s Status
	fields := map[string]*int64{"VmRSS:": &s.VmRSS, "VmHWM:": &s.VmHWM, "RssAnon:": &s.RssAnon,
		"RssFile:": &s.RssFile, "RssShmem:": &s.RssShmem}
	seen, err := scanKB(r, fields)
	if err != nil {
		return Status{}, err
	}
	if !seen["VmRSS:"] {
		return Status{}, fmt.Errorf("%w: no VmRSS in status", ErrFormat)
	}
	return s, nil
}

// Rollup holds /proc/PID/smaps_rollup, in kB.
type Rollup struct {
	Rss, Pss, PssAnon, PssFile, PrivateClean, PrivateDirty, SharedClean, SharedDirty int64
}

// ReadRollup reads /proc/PID/smaps_rollup.
func ReadRollup(pid int) (Rollup, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Rollup{}, fmt.Errorf("procmem: smaps_rollup: %w", err)
	}
	defer f.Close()
	return ParseRollup(f)
}

// ParseRollup parses the text of /proc/PID/smaps_rollup; Rss and Pss must be present.
func ParseRollup(r io.Reader) (Rollup, error) {
	var s Rollup
	fields := map[string]*int64{"Rss:": &s.Rss, "Pss:": &s.Pss, "Pss_Anon:": &s.PssAnon,
		"Pss_File:": &s.PssFile, "Private_Clean:": &s.PrivateClean, "Private_Dirty:": &s.PrivateDirty,
		"Shared_Clean:": &s.SharedClean, "Shared_Dirty:": &s.SharedDirty}
	seen, err := scanKB(r, fields)
	if err != nil {
		return Rollup{}, err
	}
	if !seen["Rss:"] || !seen["Pss:"] {
		return Rollup{}, fmt.Errorf("%w: no Rss/Pss in smaps_rollup", ErrFormat)
	}
	return s, nil
}

// scanKB fills the fields named in want from "Name:   123 kB" (or "Name: 123") lines and says
// which it saw.
func scanKB(r io.Reader, want map[string]*int64) (map[string]bool, error) {
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		p, ok := want[f[0]]
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || (len(f) > 2 && f[2] != "kB") {
			return nil, fmt.Errorf("%w: %q", ErrFormat, sc.Text())
		}
		*p, seen[f[0]] = v, true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("procmem: read: %w", err)
	}
	return seen, nil
}

// TicksPerSecond is USER_HZ, the unit of CPUTicks (100 on every Linux this runs on).
const TicksPerSecond = 100

// CPUTicks is the user + system CPU time of pid (fields 14 and 15 of /proc/PID/stat).
func CPUTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("procmem: stat: %w", err)
	}
	return ParseStatTicks(string(b))
}

// ParseStatTicks returns utime + stime from the text of /proc/PID/stat.
func ParseStatTicks(stat string) (int64, error) {
	i := strings.LastIndexByte(stat, ')') // the command name may hold spaces and ')'
	if i < 0 || i+2 > len(stat) {
		return 0, fmt.Errorf("%w: stat has no ')'", ErrFormat)
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("%w: stat has %d fields after the name", ErrFormat, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%w: stat utime/stime %q %q", ErrFormat, f[11], f[12])
	}
	return u + k, nil
}

// Sample is one reading of a process's memory.
type Sample struct {
	Status Status
	Rollup Rollup
	Maps   Breakdown
}

// Read takes a Sample of pid.
func Read(pid int) (Sample, error) {
	var s Sample
	var err error
	if s.Status, err = ReadStatus(pid); err != nil {
		return s, err
	}
	if s.Rollup, err = ReadRollup(pid); err != nil {
		return s, err
	}
	s.Maps, err = ReadBreakdown(pid)
	return s, err
}

// Idle is what a process does while it should be doing nothing.
type Idle struct {
	CPU     float64 // % of one core
	Wakeups float64 // context switches per second, summed over its threads
}

// MeasureIdle measures pid's CPU and wake-ups over d.
func MeasureIdle(pid int, d time.Duration) (Idle, error) {
	c0, err := CPUTicks(pid)
	if err != nil {
		return Idle{}, err
	}
	w0, err := Switches(pid)
	if err != nil {
		return Idle{}, err
	}
	t0 := time.Now()
	time.Sleep(d)
	c1, err := CPUTicks(pid)
	if err != nil {
		return Idle{}, err
	}
	w1, err := Switches(pid)
	if err != nil {
		return Idle{}, err
	}
	sec := time.Since(t0).Seconds()
	return Idle{CPU: float64(c1-c0) / TicksPerSecond / sec * 100, Wakeups: float64(w1-w0) / sec}, nil
}

// Switches is the number of context switches (voluntary + not) of every thread of pid so far;
// a sleeping thread that wakes up counts one.
func Switches(pid int) (int64, error) {
	dirs, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, fmt.Errorf("procmem: tasks: %w", err)
	}
	var n int64
	for _, d := range dirs {
		f, err := os.Open(fmt.Sprintf("/proc/%d/task/%s/status", pid, d.Name()))
		if err != nil {
			continue // the thread ended
		}
		v, err := ParseSwitches(f)
		f.Close()
		if err != nil {
			return 0, err
		}
		n += v
	}
	return n, nil
}

// ParseSwitches returns voluntary + nonvoluntary context switches from a status text.
func ParseSwitches(r io.Reader) (int64, error) {
	var vol, nonvol int64
	seen, err := scanKB(r, map[string]*int64{"voluntary_ctxt_switches:": &vol, "nonvoluntary_ctxt_switches:": &nonvol})
	if err != nil {
		return 0, err
	}
	if !seen["voluntary_ctxt_switches:"] || !seen["nonvoluntary_ctxt_switches:"] {
		return 0, fmt.Errorf("%w: no ctxt_switches in status", ErrFormat)
	}
	return vol + nonvol, nil
}
