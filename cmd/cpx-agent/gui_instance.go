package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cpx-agent/cpx-agent/internal/config"
)

// One agent per desktop session: two agents would watch the same reader and race for the card.
// The first `cpx-agent gui` of a session listens on a local socket; a second one (a double click
// on the icon, the autostart after a manual start) asks it to bring its window forward and exits.
//
// The socket is named after the user, the display and the user's cache directory (two test
// agents with their own HOME on one display are two sessions). On Linux it is in the abstract
// namespace: no file to go stale after a crash, and a second Listen fails atomically. Elsewhere
// (Windows 10+ AF_UNIX) it is a file in the user's cache directory, replaced when no agent
// answers on it.

// instanceAddr is the session's socket address.
func instanceAddr() string {
	cache, _ := os.UserCacheDir()
	display := os.Getenv("WAYLAND_DISPLAY") + "|" + os.Getenv("DISPLAY") + "|" + os.Getenv("SESSIONNAME")
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d|%s|%s", os.Getuid(), cache, display)))
	id := hex.EncodeToString(sum[:8])
	if runtime.GOOS == "linux" {
		return "@cpx-agent-" + id
	}
	return filepath.Join(cache, "cpx-agent", "instance-"+id+".sock")
}

// claimInstance returns a listener when this process is the session's first agent; raised is
// true when another agent answered (and was asked to show its window).
func claimInstance(addr string) (ln net.Listener, raised bool, err error) {
	if askRaise(addr) {
		return nil, true, nil
	}
	if addr[0] != '@' {
		_ = os.MkdirAll(filepath.Dir(addr), 0o700)
		_ = os.Remove(addr) // nobody answered: a file left by an agent that crashed
	}
	ln, err = net.Listen("unix", addr)
	if err != nil && askRaise(addr) { // another agent started in between
		return nil, true, nil
	}
	return ln, false, err
}

// askRaise tells the agent listening on addr, if any, to show its window.
func askRaise(addr string) bool {
	c, err := net.DialTimeout("unix", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("raise\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "ok\n"
}

// serveInstance answers the later agents of the session, calling raise for each, until ln is
// closed.
func serveInstance(ln net.Listener, raise func()) {
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err == nil && line == "raise\n" {
				raise()
				_, _ = c.Write([]byte("ok\n"))
			}
		}()
	}
}

// sessionStart decides whether this `cpx-agent gui` goes on: not when it was started by the
// session's autostart and IT staff turned that off ("autostart": "0"), nor when an agent already
// runs in this session (its window is brought forward instead). It returns the listener of the
// session's socket, or nil when the socket could not be had (the agent then runs anyway).
func sessionStart(autostart bool, stderr io.Writer) (ln net.Listener, exit bool) {
	if autostart {
		if cfg, err := config.Load(config.DefaultSources()); err == nil && cfg.Autostart == "0" {
			return nil, true
		}
	}
	ln, raised, err := claimInstance(instanceAddr())
	if raised {
		fmt.Fprintln(stderr, msgAlreadyRunning)
		return nil, true
	}
	if err != nil {
		fmt.Fprintf(stderr, "cpx-agent: single-instance socket: %v\n", err)
	}
	return ln, false
}

// msgAlreadyRunning is said by a second launch in the same session.
const msgAlreadyRunning = "CPx Agent est déjà ouvert dans cette session : sa fenêtre est mise au premier plan."

// answerSession serves the session's later agents (each raises a's windows) until the returned
// function closes the socket; nil (the demo, or no socket) serves none.
func answerSession(ln net.Listener, a fyne.App) func() {
	if ln == nil {
		return func() {}
	}
	go serveInstance(ln, raiseWindows(a))
	return func() { _ = ln.Close() }
}

// raiseWindows shows and focuses the app's windows (from any goroutine).
func raiseWindows(a fyne.App) func() {
	return func() {
		fyne.Do(func() {
			for _, w := range a.Driver().AllWindows() {
				w.Show()
				w.RequestFocus()
			}
		})
	}
}
