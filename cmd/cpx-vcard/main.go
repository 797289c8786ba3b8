// Command cpx-vcard is a virtual CPx card for tests, demos and training: it dials vpcd (the
// virtual reader driver of pcscd) and answers like a CPx card carrying the PIV application,
// so pcsc_scan, OpenSC's PKCS#11 module and cpx-agent see a real card in a real reader.
//
//	cpx-vcard run [--state DIR] [--port 35963] [--atr cps4|cps3|…|HEX] [--holder cps|cpe|cpe2|adeli]
//	              [--pki DIR] [--pin 1234 --puk 12345678] [--removed] [--debug]
//	cpx-vcard pki --out DIR [--force]
//	cpx-vcard atrs
//
// Demo cards use PIN 1234 and PUK 12345678 unless --pin/--puk are given on the first run.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/cpx-agent/cpx-agent/drivers"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand of cpx-vcard.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"run": {"serve a virtual card in a vpcd reader (insert/remove on stdin or SIGUSR1)", runCard},
		"pki": {"write a test IGC-Santé PKI with the demo holders", func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
			return runPKI(args, stdout, stderr)
		}},
		"atrs": {"list the ATR names --atr accepts", func(_ []string, _ io.Reader, stdout, _ io.Writer) int {
			return listATRs(stdout)
		}},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	c, found := commands()[name]
	if !found {
		fmt.Fprintf(stderr, "cpx-vcard: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(rest, stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cpx-vcard <command> [flags]   (cpx-vcard <command> --help for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-5s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
examples:
  cpx-vcard pki --out /tmp/pki                        test PKI + demo holders cps, adeli, cpe, cpe2
  cpx-vcard run --holder cpe --pki /tmp/pki           CPE card in "Virtual PCD 00 00" (port 35963)
  cpx-vcard run --holder cps --port 35964 --atr cps3  CPS3 ATR in "Virtual PCD 00 01"
  kill -USR1 <pid>                                    toggle insert/remove (or type insert/remove/quit)

Demo cards: PIN 1234, PUK 12345678 (3 PIN tries, 10 PUK tries). The card keeps its state
(serial, PIN tries, key) in --state: a blocked card stays blocked until unblocked with the PUK.
OpenSC sees the card through its PIV driver with the CPS4 ATR (the default); a CPS3 ATR is
claimed by OpenSC's IAS-ECC driver, which the virtual card does not speak.
`)
}

func listATRs(w io.Writer) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tGENERATION\tINTERFACE\tATR")
	for _, e := range drivers.ATRs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t% X\n", e.Name, e.Generation, e.Interface, e.ATR)
	}
	tw.Flush()
	return 0
}
