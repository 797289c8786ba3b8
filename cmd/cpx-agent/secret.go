package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// secretInput reads PINs, passwords and codes from standard input, one line each. At a
// terminal it prints the prompt on stderr and reads with echo off (x/term), so a secret is
// never shown; otherwise (--pin-stdin, --password-stdin, pipes, tests) it reads lines silently
// from one buffered reader kept for the whole command, so a password line and a code line can
// follow each other on a pipe. The caller clears the returned bytes after use.
type secretInput struct {
	tty    int           // terminal file descriptor, or -1
	lines  *bufio.Reader // piped input when stdin is not a terminal
	stderr io.Writer
}

func newSecretInput(in io.Reader, stderr io.Writer) *secretInput {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &secretInput{tty: int(f.Fd()), stderr: stderr}
	}
	if in == nil {
		in = bytes.NewReader(nil)
	}
	return &secretInput{tty: -1, lines: bufio.NewReader(in), stderr: stderr}
}

// read returns one secret line without its line ending; what ("PIN", "password", "code")
// names it in the error when there is none. At a terminal, the end of ctx (Ctrl-C, SIGTERM)
// gives the read up at once, with the terminal's echo back on.
func (s *secretInput) read(ctx context.Context, prompt, what string) ([]byte, error) {
	if s.tty < 0 {
		return readLine(s.lines, what)
	}
	state, err := term.GetState(s.tty)
	if err != nil {
		return nil, noInput(what)
	}
	fmt.Fprint(s.stderr, prompt)
	defer fmt.Fprintln(s.stderr)
	type line struct {
		b   []byte
		err error
	}
	got := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(s.tty)
		got <- line{b, err}
	}()
	select {
	case l := <-got:
		if l.err != nil {
			clear(l.b)
			return nil, noInput(what)
		}
		return l.b, nil
	case <-ctx.Done():
		// ReadPassword stays blocked until the process ends; echo comes back now.
		term.Restore(s.tty, state)
		return nil, ctx.Err()
	}
}

// readLine reads one secret line from r without its line ending, leaving no copy behind.
func readLine(r *bufio.Reader, what string) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		clear(line)
		return nil, noInput(what)
	}
	n := len(line)
	for n > 0 && (line[n-1] == '\n' || line[n-1] == '\r') {
		n--
	}
	out := make([]byte, n)
	copy(out, line)
	clear(line)
	return out, nil
}

// errNoInput: standard input ended (or the terminal failed) before the secret was read.
var errNoInput = errors.New("no input")

// noInputError is the French "nothing on standard input" error; errors.Is(err, errNoInput).
type noInputError struct{ what string }

func noInput(what string) error { return &noInputError{what} }

func (e *noInputError) Error() string {
	fr := map[string]string{"PIN": "code PIN", "password": "mot de passe", "code": "code reçu"}[e.what]
	if fr == "" {
		fr = e.what
	}
	return "aucun " + fr + " sur l'entrée standard : donnez-le sur une ligne (--pin-stdin, --password-stdin, --code-stdin)"
}

func (e *noInputError) Is(target error) bool { return target == errNoInput }
