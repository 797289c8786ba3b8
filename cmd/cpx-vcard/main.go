// Command cpx-vcard is a virtual CPx card for tests, demos and training.
//
// PLACEHOLDER dispatcher written by the pki helper: it only knows the `pki` subcommand. The
// vcard helper owns this file and replaces it with the real command (which dispatches "pki"
// to runPKI in pki.go).
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "pki" {
		return runPKI(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, "usage: cpx-vcard pki --out DIR [--force]")
	return 2
}
