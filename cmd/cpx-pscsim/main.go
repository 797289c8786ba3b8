// Command cpx-pscsim is a Pro Santé Connect simulator for tests, demos and training without
// an ANS account: an OpenID provider (github.com/luikyv/go-oidc) with PSC's paths, CIBA
// push to a simulated e-CPS phone, the browser code flow, and the demo holders of the test
// PKI. See internal/pscsim and docs/pscsim.md.
//
//	cpx-pscsim serve [--listen 127.0.0.1:8444] [--pki DIR] [--users FILE] [--approve auto|deny] …
//	cpx-pscsim approve|deny [--code NN | --national-id N | --id AUTH_REQ_ID | --all] [--server URL] [--ca FILE]
//	cpx-pscsim pushes [--server URL] [--ca FILE] [--json]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "démarre le simulateur (HTTPS, PKI de test) et affiche son issuer", runServe},
		{"approve", "approuve des demandes en attente, comme sur le téléphone", func(a []string, o, e io.Writer) int { return runAnswer("approve", a, o, e) }},
		{"deny", "refuse des demandes en attente, comme sur le téléphone", func(a []string, o, e io.Writer) int { return runAnswer("deny", a, o, e) }},
		{"pushes", "liste les demandes (push) et leur état", runPushes},
		{"knobs", "affiche ou change les réglages de test d'un simulateur démarré", runKnobs},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if a := args[0]; a == "help" || a == "-h" || a == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "cpx-pscsim : commande inconnue %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Simulateur Pro Santé Connect (tests, démonstrations, formation ; aucune donnée réelle).")
	fmt.Fprintln(w, "\nusage : cpx-pscsim <commande> [options]   (cpx-pscsim <commande> --help pour ses options)")
	fmt.Fprintln(w, "\ncommandes :")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
exemples :
  cpx-pscsim serve                                  https://127.0.0.1:8444, PKI %s
  cpx-pscsim serve --pki .run/portal/pki --approve auto --approve-delay 2s
  cpx-pscsim approve --code 42                      approuve la demande qui affiche 42
  cpx-pscsim deny --national-id 899700000005        refuse les demandes de ce porteur
  cpx-pscsim pushes                                 demandes en cours
  cpx-pscsim knobs --slow-down 1 --acr eidas0       change les réglages (tous : ceux omis reviennent au défaut)

La page du téléphone simulé : https://127.0.0.1:8444/telephone
`, defaultPKIDir())
}

// defaultPKIDir is the test PKI cpx-portal serve --dev uses by default (data_dir/pki), so
// both trust each other without more settings.
func defaultPKIDir() string {
	dir := os.Getenv("CPX_PORTAL_DATA_DIR")
	if dir == "" {
		dir = "/var/lib/cpx-portal"
	}
	return filepath.Join(dir, "pki")
}

// newFlagSet makes a subcommand's flag set whose --help speaks French.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cpx-pscsim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage : cpx-pscsim %s %s\n\noptions :\n", name, synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			kind, help := flag.UnquoteUsage(f)
			kind = map[string]string{"string": "texte", "duration": "durée", "int": "nombre", "value": "valeur"}[kind]
			fmt.Fprintf(stderr, "  --%s %s\n      %s", f.Name, kind, help)
			switch f.DefValue {
			case "", "0", "false", "0s":
			default:
				fmt.Fprintf(stderr, " (défaut : %s)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	return fs
}
