//go:build unix

package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// runPort is the spare vpcd port (docs/architecture.md), shared with internal/testrig's
// tests through testrig.LockPort.
const runPort = 35972

// session is a `cpx-vcard run` running in this process.
type session struct {
	stdin *io.PipeWriter
	lines chan string
	done  chan int
}

func startRun(t *testing.T, args ...string) *session {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{stdin: inW, lines: make(chan string, 64), done: make(chan int, 1)}
	go func() {
		s.done <- run(append([]string{"run"}, args...), inR, outW, io.Discard)
		outW.Close()
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

// expect waits for a status line starting with prefix and returns it.
func (s *session) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(testrig.CardTimeout)
	for {
		select {
		case l, open := <-s.lines:
			if !open {
				t.Fatalf("cpx-vcard run ended before printing %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no %q line from cpx-vcard run", prefix)
		}
	}
}

func (s *session) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		t.Fatalf("write %q: %v", line, err)
	}
}

func (s *session) quit(t *testing.T) {
	t.Helper()
	s.send(t, "quit")
	select {
	case code := <-s.done:
		if code != 0 {
			t.Fatalf("cpx-vcard run exit %d after quit", code)
		}
	case <-time.After(testrig.CardTimeout):
		t.Fatal("cpx-vcard run did not quit")
	}
}

var serialRE = regexp.MustCompile(`serial=([0-9A-F]{24})`)

// TestRunInsertRemove drives `cpx-vcard run` with stdin and SIGUSR1 and watches pcscd.
func TestRunInsertRemove(t *testing.T) {
	testrig.RequirePCSCD(t)
	testrig.LockPort(t, runPort)
	reader := testrig.ReaderForPort(runPort)
	testrig.WaitReader(t, reader, false, testrig.CardTimeout)
	dir := t.TempDir()
	args := []string{"--state", filepath.Join(dir, "card"), "--pki", filepath.Join(dir, "pki"), "--holder", "cpe", "--port", "35972"}

	s := startRun(t, args...)
	ready := s.expect(t, "ready ")
	if !strings.Contains(ready, `holder="3990000010/000000018"`) || !serialRE.MatchString(ready) {
		t.Fatalf("ready line %q", ready)
	}
	s.expect(t, "connected port=35972")
	testrig.WaitReader(t, reader, true, testrig.CardTimeout)

	s.send(t, "remove")
	s.expect(t, "removed port=35972")
	testrig.WaitReader(t, reader, false, testrig.CardTimeout)

	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	s.expect(t, "inserted port=35972")
	testrig.WaitReader(t, reader, true, testrig.CardTimeout)

	s.send(t, "status")
	if l := s.expect(t, "status "); l != "status inserted=true connected=true" {
		t.Fatalf("status line %q", l)
	}
	s.send(t, "dance")
	s.expect(t, `error unknown command "dance"`)
	s.quit(t)
	testrig.WaitReader(t, reader, false, testrig.CardTimeout)

	// A restart keeps the card: same serial, even when asked for another holder.
	again := startRun(t, append(args[:len(args)-4], "--holder", "cps", "--port", "35972")...)
	if l := again.expect(t, "ready "); serialRE.FindString(l) != serialRE.FindString(ready) || !strings.Contains(l, "3990000010/000000018") {
		t.Fatalf("restarted card: %q, first run: %q", l, ready)
	}
	again.expect(t, "connected port=35972")
	again.quit(t)
	testrig.WaitReader(t, reader, false, testrig.CardTimeout)
}
