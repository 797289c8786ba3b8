package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// runPKI implements `cpx-vcard pki --out DIR [--force]`: a test IGC-Santé PKI in DIR with the
// demo holders (cps, adeli, cpe, cpe2) as <key>.crt.pem / <key>.key.pem. It refuses to replace
// an existing PKI unless --force is given. Exit codes: 0 done, 1 failure, 2 usage.
func runPKI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pki", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the test PKI and demo holders to (required)")
	force := fs.Bool("force", false, "replace a PKI already in --out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cpx-vcard pki --out DIR [--force]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	d, err := pki.CreateDemo(*out, *force)
	if errors.Is(err, pki.ErrExists) {
		fmt.Fprintf(stderr, "cpx-vcard pki : une PKI de test existe déjà dans %s ; "+
			"relancez avec --force pour la remplacer (les cartes émises par l'ancienne ne seront plus reconnues).\n", *out)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "cpx-vcard pki : échec de la création de la PKI de test dans %s : %v\n", *out, err)
		return 1
	}
	printDemo(stdout, d)
	return 0
}

func printDemo(w io.Writer, d *pki.Demo) {
	fmt.Fprintf(w, "PKI de test écrite dans %s\n", d.Dir)
	fmt.Fprintf(w, "  racine  : %s\n", d.PKI.Root.Cert.Subject.CommonName)
	fmt.Fprintf(w, "  émetteur: %s\n", d.PKI.Issuer.Cert.Subject.CommonName)
	fmt.Fprintln(w, "fichiers :")
	for _, f := range d.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintln(w, "porteurs :")
	for _, key := range pki.DemoKeys() {
		is := d.Holders[key]
		fmt.Fprintf(w, "  %-6s %s %s (série %x, valide jusqu'au %s)\n", key, is.Holder.Family,
			is.Holder.SubjectString(), is.Cert.SerialNumber, is.Cert.NotAfter.Format("2006-01-02"))
	}
}
