package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"fyne.io/fyne/v2/app"

	"github.com/cpx-agent/cpx-agent/internal/ui"
)

func init() {
	register(command{
		name:    "gui",
		summary: "open the desktop app (default command); --demo runs a DEMO with fictitious data, no card or portal",
		run:     runGUI,
	})
}

// errNotWired says the real engine is not wired into this build yet.
var errNotWired = errors.New("the flow engine is not wired yet (use --demo for a demonstration)")

func runGUI(args []string, _ io.Reader, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", `interface language: "fr" or "en" (default: the OS locale)`)
	demo := fs.Bool("demo", false, "DEMO ONLY: a stand-in engine with fictitious data (PIN 0000 is wrong, phone 4000 is taken); no card, no portal")
	step := fs.String("demo-step", "", "DEMO ONLY: open the demo on this screen (home, pin, profile, banner, …)")
	trace := fs.Bool("demo-trace", false, "DEMO ONLY: print each intent type and step on stderr (GUI tests)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cpx-agent gui [--lang fr|en] [--demo [--demo-step NAME]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *lang != "" && *lang != "fr" && *lang != "en" {
		fmt.Fprintf(stderr, "cpx-agent gui: --lang must be fr or en, not %q\n", *lang)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var eng ui.Engine
	if *demo {
		d := ui.NewDemoEngine(*step)
		if *trace {
			d.Trace(stderr)
		}
		eng = d
	} else {
		e, err := newEngine(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "cpx-agent gui: %v\n", err)
			return 1
		}
		eng = e
	}
	a := app.NewWithID("fr.cpx-agent.agent")
	ui.Run(a, eng, ui.Options{Lang: *lang})
	return 0
}

// newEngine builds the real flow engine: agent.New(cfg, agent.Deps{Cards, Token, Portal,
// Keys, Prefs, Browser, …}) with the adapters of internal/card, internal/token,
// internal/portal/client, internal/keystore and internal/config, starts its Run(ctx) in a
// goroutine and returns it (*agent.Engine satisfies ui.Engine). The lead wires it; until
// then the GUI runs only with --demo.
func newEngine(ctx context.Context) (ui.Engine, error) {
	_ = ctx
	return nil, errNotWired
}
