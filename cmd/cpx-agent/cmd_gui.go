package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/ui"
)

func init() {
	register(command{
		name:    "gui",
		summary: "open the desktop app (default command); --demo runs a DEMO with fictitious data, no card or portal",
		run:     runGUI,
	})
}

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
	done := func() {}
	if *demo {
		d := ui.NewDemoEngine(*step)
		if *trace {
			d.Trace(stderr)
		}
		eng = d
	} else {
		e, cfgLang, stop, err := newEngine(ctx, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "cpx-agent gui: %v\n", err)
			return 1
		}
		eng, done = e, stop
		if *lang == "" {
			*lang = cfgLang
		}
	}
	a := app.NewWithID("fr.cpx-agent.agent")
	ui.Run(a, eng, ui.Options{Lang: *lang, Version: version})
	cancel() // the window is closed: the engine signs the session out and stops
	done()
	return 0
}

// newEngine builds the real flow engine from the workstation configuration (system file,
// user file, CPX_AGENT_* environment) with the adapters of wire_agent.go, and runs it until ctx
// ends. It returns the configured language and a function that waits for the engine to stop
// (so that the sign-out on exit reaches the portal) and releases the card and the client.
func newEngine(ctx context.Context, stderr io.Writer) (ui.Engine, string, func(), error) {
	cfg, err := config.Load(config.DefaultSources())
	if err != nil {
		return nil, "", nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e, release, err := newAgentEngine(cfg, log)
	if err != nil {
		return nil, "", nil, err
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := e.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("flow engine stopped", "err", err)
		}
	}()
	wait := func() {
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			log.Warn("flow engine did not stop within 5 s")
		}
		release()
	}
	return e, cfg.Language, wait, nil
}
