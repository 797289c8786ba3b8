// Command cpx-agent signs health staff in on shared SAMU workstations with their CPx card,
// their e-CPS app, or identifiant + password + one-time code. Without arguments it opens the
// desktop app; subcommands give IT staff and tests a headless path.
package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
)

// command is one subcommand. Each lives in its own file and registers itself in init().
type command struct {
	name    string
	summary string // one line, English (IT staff and tests)
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("cpx-agent: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := "gui"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "--version" {
		name = "version"
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "cpx-agent: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(args, stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cpx-agent [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	printCommands(w, commands)
}

// printCommands lists a command table, one "  name     summary" line each, by name.
func printCommands(w io.Writer, table map[string]command) {
	for _, n := range slices.Sorted(maps.Keys(table)) {
		fmt.Fprintf(w, "  %-8s %s\n", n, table[n].summary)
	}
}
