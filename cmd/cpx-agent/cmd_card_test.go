//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// cardTestPort is internal/card's vpcd port (docs/architecture.md); testrig.LockPort
// serialises its use with internal/card's tests.
const cardTestPort = 35963

// watchLines runs `card watch` in-process on args and returns its decoded JSON lines as they come.
func watchLines(t *testing.T, ctx context.Context, args ...string) (<-chan watchLine, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	lines, code := make(chan watchLine, 16), make(chan int, 1)
	go func() {
		c := cardWatch(ctx, append([]string{"--json"}, args...), pw, io.Discard)
		pw.Close()
		code <- c
	}()
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l watchLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("card watch printed a line that is not JSON: %q", sc.Text())
				return
			}
			lines <- l
		}
	}()
	return lines, code
}

func nextLine(t *testing.T, lines <-chan watchLine, d time.Duration) watchLine {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("card watch output ended")
		}
		return l
	case <-time.After(d):
		t.Fatalf("no card watch line within %v", d)
	}
	return watchLine{}
}

func TestCardWatchJSON(t *testing.T) {
	c := testrig.StartCard(t, cardTestPort, "cpe", testrig.Removed())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines, code := watchLines(t, ctx, "--reader", c.Reader)
	if l := nextLine(t, lines, 5*time.Second); l.Event != "reader-added" || l.Reader != c.Reader || l.ATR != "" {
		t.Fatalf("first line %+v, want reader-added of %q", l, c.Reader)
	}
	if err := c.Insert(); err != nil {
		t.Fatal(err)
	}
	l := nextLine(t, lines, 5*time.Second)
	wantATR := strings.ToUpper(hex.EncodeToString(c.ATR()))
	if l.Event != "card-inserted" || l.Reader != c.Reader || l.ATR != wantATR || !l.Known ||
		l.Family != "CPx" || l.Generation != "CPS4" || l.Name != "cps4" {
		t.Fatalf("insertion line %+v, want a known CPx CPS4 card with ATR %s", l, wantATR)
	}
	if ts, err := time.Parse(time.RFC3339Nano, l.Time); err != nil || time.Since(ts) > time.Minute {
		t.Fatalf("time %q: %v", l.Time, err)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if l := nextLine(t, lines, 5*time.Second); l.Event != "card-removed" || l.ATR != wantATR {
		t.Fatalf("removal line %+v", l)
	}
	cancel()
	if got := <-code; got != 0 {
		t.Fatalf("exit code %d after cancel", got)
	}
}

// pcsc_scan (pcsc-tools) is the peer tool: it must see the same reader and ATR.
func TestCardWatchMatchesPcscScan(t *testing.T) {
	if _, err := exec.LookPath("pcsc_scan"); err != nil {
		t.Fatal("pcsc_scan missing: apt-get install pcsc-tools (or .ci/rig.sh up)")
	}
	c := testrig.StartCard(t, cardTestPort, "cpe")
	out, err := exec.Command("pcsc_scan", "-t", "2", "-n").CombinedOutput()
	if err != nil {
		t.Fatalf("pcsc_scan: %v\n%s", err, out)
	}
	scanATR := pcscScanATR(string(out), c.Reader)
	if scanATR == "" {
		t.Fatalf("pcsc_scan shows no ATR in %q:\n%s", c.Reader, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines, _ := watchLines(t, ctx, "--reader", c.Reader)
	nextLine(t, lines, 5*time.Second) // reader-added
	l := nextLine(t, lines, 5*time.Second)
	if l.Event != "card-inserted" || l.Reader != c.Reader {
		t.Fatalf("line %+v, want the card already present in %q", l, c.Reader)
	}
	if l.ATR != scanATR {
		t.Fatalf("card watch ATR %s, pcsc_scan ATR %s", l.ATR, scanATR)
	}
}

// pcscScanATR finds the ATR pcsc_scan printed for reader (" Reader N: name" then "  ATR: 3B …").
func pcscScanATR(out, reader string) string {
	in := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Reader ") {
			_, name, _ := strings.Cut(line, ": ")
			in = name == reader
			continue
		}
		if in && strings.HasPrefix(line, "ATR: ") {
			return strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(line, "ATR: "), " ", ""))
		}
	}
	return ""
}

// The command as a process: it prints its lines and ends cleanly (exit 0) on SIGINT and SIGTERM.
func TestCardWatchSignals(t *testing.T) {
	testrig.RequirePCSCD(t)
	reader := testrig.ReaderForPort(cardTestPort)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCardWatchHelperProcess$")
		helperArgs, _ := json.Marshal([]string{"card", "watch", "--json", "--reader", reader})
		cmd.Env = append(os.Environ(), "CPX_AGENT_HELPER="+string(helperArgs))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		if !sc.Scan() || !strings.Contains(sc.Text(), `"event":"reader-added"`) {
			cmd.Process.Kill()
			t.Fatalf("first line %q", sc.Text())
		}
		start := time.Now()
		cmd.Process.Signal(sig)
		err = cmd.Wait()
		if err != nil {
			t.Fatalf("after %v: %v (want exit 0)", sig, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v to end after %v", d, sig)
		}
	}
}

// TestCardWatchHelperProcess is the command run as a child process by TestCardWatchSignals.
func TestCardWatchHelperProcess(t *testing.T) {
	raw := os.Getenv("CPX_AGENT_HELPER")
	if raw == "" {
		return // not a helper run: nothing to do
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatalf("CPX_AGENT_HELPER: %v", err)
	}
	os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
}

func TestCardUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"card"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "watch") {
		t.Fatalf("`card` alone: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"card", "nope"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown subcommand "nope"`) {
		t.Fatalf("`card nope`: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"card", "watch", "--bogus"}, nil, &out, &errb); code != 2 {
		t.Fatalf("`card watch --bogus`: code %d", code)
	}
}
