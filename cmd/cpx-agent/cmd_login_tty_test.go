//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair (/dev/ptmx, unlockpt, /dev/pts/N). The master stays
// non-blocking so that closing it ends a pending Read.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal (/dev/ptmx; mount devpts): %v", err)
	}
	var n uint32
	rc, err := m.SyscallConn()
	if err == nil {
		cerr := rc.Control(func(fd uintptr) {
			if err = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); err == nil { // unlockpt
				n, err = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN) // ptsname
			}
		})
		err = errors.Join(err, cerr)
	}
	if err != nil {
		m.Close()
		t.Fatalf("pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("pseudo-terminal slave: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// echoOn tells whether the terminal echoes what is typed.
func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	var tio *unix.Termios
	rc, err := tty.SyscallConn()
	if err == nil {
		err = errors.Join(rc.Control(func(fd uintptr) { tio, err = unix.IoctlGetTermios(int(fd), unix.TCGETS) }), err)
	}
	if err != nil {
		t.Fatalf("termios: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// TestLoginOTPTerminalNoEcho: `cpx-agent login otp` with standard input, output and error on a
// pseudo-terminal, as an operator runs it. The password and the e-mailed code are typed at
// their prompts; neither may ever appear in what the terminal shows, and echo is back on when
// the command ends.
func TestLoginOTPTerminalNoEcho(t *testing.T) {
	c := newOTPCLI(t)
	master, slave := openPTY(t)
	if !echoOn(t, slave) {
		t.Fatal("a new pseudo-terminal should echo")
	}
	screen := readScreen(master)
	args := append([]string{"login", "otp", "--identifiant", "jeanne.testeuse", "--workstation", "poste-tty"}, c.portalArgs()...)
	done := make(chan int, 1)
	go func() { done <- run(args, slave, slave, slave) }()

	typeSecret := func(prompt string, secret []byte) {
		t.Helper()
		waitFor(t, "prompt "+prompt, 20*time.Second, func() bool { return strings.Contains(screen.String(), prompt) })
		// Type only once echo is off, as a person would after seeing the prompt; code that never
		// turns it off gets the secret after 2 s, and the check below fails.
		for end := time.Now().Add(2 * time.Second); echoOn(t, slave) && time.Now().Before(end); {
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := master.Write(append(secret, '\r')); err != nil {
			t.Fatal(err)
		}
	}
	typeSecret("Mot de passe : ", []byte(jeannePassword))
	waitFor(t, "code e-mail", 20*time.Second, func() bool { return len(c.srv.Messages()) == 1 })
	code, err := c.srv.WaitCode(1, 10*time.Second)
	must(t, err)
	typeSecret("Code reçu : ", []byte(code))

	select {
	case rc := <-done:
		if rc != exitOK {
			t.Fatalf("exit %d; terminal:\n%s", rc, screen.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("login otp did not end; terminal:\n%s", screen.String())
	}
	waitFor(t, "session on the terminal", 5*time.Second, func() bool { return strings.Contains(screen.String(), "Connecté : Jeanne Testeuse") })
	shown := screen.String()
	if strings.Contains(shown, jeannePassword) || strings.Contains(shown, code) {
		t.Fatalf("a secret typed at the terminal was echoed:\n%s", shown)
	}
	if !echoOn(t, slave) {
		t.Fatal("echo left off after the command")
	}
	if s := c.openSessions(); len(s) != 1 || s[0].Workstation != "poste-tty" {
		t.Fatalf("sessions after the terminal sign-in: %+v", s)
	}
}

// TestLoginOTPTerminalInterrupt: `cpx-agent login otp` as a process whose controlling terminal
// is a pseudo-terminal; Ctrl-C at the password prompt, half the password typed, ends the
// command at once ("Interrompu.", exit 1) with nothing of the password shown and echo back on.
func TestLoginOTPTerminalInterrupt(t *testing.T) {
	c := newOTPCLI(t)
	master, slave := openPTY(t)
	screen := readScreen(master)
	args, _ := json.Marshal(append([]string{"login", "otp", "--identifiant", "jeanne.testeuse",
		"--workstation", "poste-tty"}, c.portalArgs()...))
	cmd := exec.Command(os.Args[0], "-test.run=^TestCardWatchHelperProcess$")
	cmd.Env = append(os.Environ(), "CPX_AGENT_HELPER="+string(args))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor(t, "password prompt with echo off", 20*time.Second, func() bool {
		return strings.Contains(screen.String(), "Mot de passe : ") && !echoOn(t, slave)
	})
	master.Write([]byte(jeannePassword[:6]))
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	master.Write([]byte{0x03}) // Ctrl-C: SIGINT to the terminal's foreground process group
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitError {
			t.Fatalf("exit: %v; terminal:\n%s", err, screen.String())
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("Ctrl-C at the password prompt did not end the command; terminal:\n%s", screen.String())
	}
	t.Logf("ended %v after Ctrl-C", time.Since(start))
	waitFor(t, "message", 5*time.Second, func() bool { return strings.Contains(screen.String(), "Interrompu.") })
	if strings.Contains(screen.String(), jeannePassword[:6]) || !echoOn(t, slave) {
		t.Fatalf("terminal %q, echo on afterwards: %v", screen.String(), echoOn(t, slave))
	}
	if s := c.openSessions(); len(s) != 0 {
		t.Fatalf("a session was opened: %+v", s)
	}
}

// readScreen copies what the terminal shows into a buffer until the master is closed.
func readScreen(master *os.File) *syncBuf {
	screen := &syncBuf{}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			screen.Write(b[:n])
			if err != nil {
				return
			}
		}
	}()
	return screen
}

// TestSecretInput: at a terminal each secret is read with echo off behind its prompt (the PIN
// of `login card` takes this path too); on a pipe the lines follow each other silently, and a
// missing line is errNoInput.
func TestSecretInput(t *testing.T) {
	master, slave := openPTY(t)
	screen := readScreen(master)
	got := make(chan []byte, 1)
	go func() {
		pin, err := newSecretInput(slave, slave).read(t.Context(), "Code PIN de la carte : ", "PIN")
		if err != nil {
			t.Error(err)
		}
		got <- pin
	}()
	waitFor(t, "PIN prompt", 5*time.Second, func() bool {
		return strings.Contains(screen.String(), "Code PIN de la carte : ") && !echoOn(t, slave)
	})
	master.Write([]byte("4711\r"))
	if pin := <-got; string(pin) != "4711" {
		t.Fatalf("PIN read %q", pin)
	}
	if strings.Contains(screen.String(), "4711") || !echoOn(t, slave) {
		t.Fatalf("terminal shows %q, echo on afterwards: %v", screen.String(), echoOn(t, slave))
	}

	var stderr bytes.Buffer
	in := newSecretInput(strings.NewReader("Vx7#pluie-Orage\r\n 123456 \n"), &stderr)
	pw, err1 := in.read(t.Context(), "Mot de passe : ", "password")
	code, err2 := readCode(t.Context(), loginOTPFlags{}, in)
	_, err3 := in.read(t.Context(), "Code reçu : ", "code")
	if string(pw) != "Vx7#pluie-Orage" || string(code) != "123456" || err1 != nil || err2 != nil ||
		!errors.Is(err3, errNoInput) || stderr.Len() != 0 {
		t.Fatalf("piped: %q %q %v %v %v, stderr %q", pw, code, err1, err2, err3, stderr.String())
	}
	if _, err := newSecretInput(nil, &stderr).read(t.Context(), "", "PIN"); !errors.Is(err, errNoInput) {
		t.Fatalf("no stdin: %v", err)
	}
}
