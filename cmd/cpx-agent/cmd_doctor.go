package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/doctor"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

func init() {
	register(command{name: "doctor", summary: "check the workstation: PC/SC, readers, card, PKCS#11, clock ([--json] [--bundle FILE.zip])", run: runDoctor})
}

// runDoctor exits 1 when a check fails, 0 otherwise (warnings included), 2 on bad usage.
func runDoctor(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON (with the version and the configuration's sources)")
	bundle := fs.String("bundle", "", "also write a support bundle: a zip with the report, the versions, the effective configuration with its sources and the last logs (no secret)")
	reader := fs.String("reader", "", "check only this PC/SC reader (default: the configured one, else all)")
	module := fs.String("module", "", "PKCS#11 module to try first (default: the configured one)")
	portal := fs.String("portal", "", "cpx-portal URL for the clock comparison (default: the configured one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(config.DefaultSources())
	if err != nil {
		// A broken configuration file must not stop the diagnosis: report it and go on.
		fmt.Fprintf(stderr, "cpx-agent doctor: configuration ignored: %v\n", err)
	}
	dc := doctor.Config{Reader: first(*reader, cfg.Reader), PortalURL: first(*portal, cfg.PortalURL)}
	dc.Modules = token.DefaultModules(first(*module, cfg.PKCS11Module))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep := newDoctorJSON(doctor.Run(ctx, dc), cfg, err)
	if *asJSON {
		fmt.Fprintf(stdout, "%s\n", rep.marshal())
	} else {
		fmt.Fprint(stdout, rep.Text())
	}
	if *bundle != "" {
		if err := writeBundle(*bundle, rep); err != nil {
			fmt.Fprintf(stderr, "cpx-agent doctor: bundle: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "Fichier pour le support : %s\n", *bundle)
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
