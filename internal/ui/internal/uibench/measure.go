package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// program is one measured program: the agent or the bare Fyne reference.
type program struct {
	name  string
	bin   string
	args  []string
	title string // its window's title
}

// result is what bench-ui measures of one program.
type result struct {
	starts []time.Duration // sorted
	mem    procmem.Sample
	gomem  procmem.GoMem
	idle   procmem.Idle
}

// measure times n cold starts of p, then runs it once more for memory and idle CPU.
func measure(p program, n int, after, idle time.Duration) (result, error) {
	var r result
	for i := 0; i < n; i++ {
		d, err := coldStart(p)
		if err != nil {
			return r, err
		}
		r.starts = append(r.starts, d)
	}
	slices.Sort(r.starts)
	err := steady(p, after, idle, &r)
	return r, err
}

// coldStart times exec → the window is mapped (xdotool --onlyvisible finds it).
func coldStart(p program) (time.Duration, error) {
	cmd := exec.Command(p.bin, p.args...)
	var errOut procmem.Output
	cmd.Stderr = &errOut
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", p.bin, err)
	}
	defer stop(cmd)
	if err := waitWindow(cmd.Process.Pid, p.title, 30*time.Second); err != nil {
		stop(cmd)
		return 0, fmt.Errorf("%w; its stderr:\n%s", err, errOut.String())
	}
	return time.Since(t0), nil
}

// steady starts p once more with the Go runtime report on (procmem.GoMemEnv, printed `after`
// exec), reads its memory as soon as that line is out (so both describe the same moment), then
// the CPU it uses over idle.
func steady(p program, after, idle time.Duration, r *result) error {
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), procmem.GoMemEnv+"="+after.String())
	var errOut procmem.Output
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.bin, err)
	}
	defer stop(cmd)
	pid := cmd.Process.Pid
	if err := waitWindow(pid, p.title, 30*time.Second); err != nil {
		return err
	}
	var err error
	if r.gomem, err = procmem.WaitGoMem(&errOut, after+10*time.Second); err != nil {
		return fmt.Errorf("%s did not print its Go memory line (%s): %w; its stderr:\n%s",
			p.name, procmem.GoMemEnv, err, errOut.String())
	}
	if r.mem, err = procmem.Read(pid); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	r.mem.Maps = r.mem.Maps.WithGoHeap(r.gomem.HeapAddr)
	r.idle, err = procmem.MeasureIdle(pid, idle)
	return err
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
