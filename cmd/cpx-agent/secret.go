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
			return nil, fmt.Errorf("reading the %s: %w", what, err)
		}
		return b, nil
	}
	r, ok := in.(*bufio.Reader)
	if !ok {
		r = bufio.NewReader(in)
	}
	line, err := r.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		clear(line)
		return nil, fmt.Errorf("no %s on standard input", what)
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
