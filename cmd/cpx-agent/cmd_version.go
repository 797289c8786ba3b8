package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/cpx-agent/cpx-agent/internal/buildinfo"
)

func init() {
	register(command{name: "version", summary: "print the version (also --version; --json for scripts)", run: runVersion})
}

// version is the release version shown by the settings screen and the diagnostic header.
var version = buildinfo.Version()

func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print program, version, commit, Go version, OS and architecture as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	info := buildinfo.For("cpx-agent")
	if *asJSON {
		b, _ := json.MarshalIndent(info, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	fmt.Fprintln(stdout, info.String())
	return 0
}
