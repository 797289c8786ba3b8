package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// readSecret reads one line holding a PIN, password or code. On a terminal it prints prompt on
// stderr and turns echo off, so the secret is never shown; otherwise (--pin-stdin, pipes) it
// reads the first line silently. The caller clears the returned bytes after use.
func readSecret(in io.Reader, prompt string, stderr io.Writer, what string) ([]byte, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, noInput(what)
		}
		return b, nil
	}
	r, ok := in.(*bufio.Reader)
	if !ok {
		r = bufio.NewReader(in)
	}
	return readLine(r, what)
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
