package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/procmem"
	"github.com/cpx-agent/cpx-agent/internal/ui"
)

func init() {
	register(command{
		name:    "gui",
		summary: "open the desktop app (default command); --demo runs a DEMO with fictitious data, no card or portal",
		run:     runGUI,
	})
}

// guiFlags are the flags of `cpx-agent gui`.
type guiFlags struct {
	lang, step  string
	demo, trace bool
	autostart   bool
}

// parseGUIFlags parses the flags; ok is false on bad usage (said on stderr).
func parseGUIFlags(args []string, stderr io.Writer) (f guiFlags, ok bool) {
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.lang, "lang", "", `interface language: "fr" or "en" (default: the OS locale)`)
	fs.BoolVar(&f.demo, "demo", false, "DEMO ONLY: a stand-in engine with fictitious data (PIN 0000 is wrong, phone 4000 is taken); no card, no portal")
	fs.StringVar(&f.step, "demo-step", "", "DEMO ONLY: open the demo on this screen (home, pin, profile, banner, …)")
	fs.BoolVar(&f.trace, "demo-trace", false, "DEMO ONLY: print each intent type and step on stderr (GUI tests)")
	fs.BoolVar(&f.autostart, "autostart", false, `started by the session's autostart (XDG autostart, the Windows Run entry): exit at once when the configuration says "autostart": "0"`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cpx-agent gui [--lang fr|en] [--autostart] [--demo [--demo-step NAME]]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, traceHelp)
	}
	if err := fs.Parse(args); err != nil {
		return f, false
	}
	if f.lang != "" && f.lang != "fr" && f.lang != "en" {
		fmt.Fprintf(stderr, "cpx-agent gui: --lang must be fr or en, not %q\n", f.lang)
		return f, false
	}
	return f, true
}

func runGUI(args []string, _ io.Reader, _, stderr io.Writer) int {
	f, ok := parseGUIFlags(args, stderr)
	if !ok {
		return 2
	}
	if !haveDisplay() {
		fmt.Fprintln(stderr, msgNoDisplay)
		return 1
	}
	procmem.ReportGoMemFromEnv(stderr) // benchmarks only: CPX_GOMEM_AFTER=3s (byte counts, nothing else)
	tw, closeTrace, err := openTrace(os.Getenv(traceEnv), stderr)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-agent gui: %v\n", err)
		return 1
	}
	defer closeTrace()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var eng ui.Engine
	var station *ui.Workstation // the demo shows none
	var instance net.Listener   // the session's single-instance socket (not for the demo)
	done := func() {}
	if f.demo {
		d := ui.NewDemoEngine(f.step)
		if f.trace {
			d.Trace(stderr)
		}
		eng = tee(teeTrace(d, tw), trimWhenIdle)
	} else {
		ln, exit := sessionStart(f.autostart, stderr)
		if exit {
			return 0
		}
		instance = ln
		e, cfg, stop, err := newEngine(ctx, stderr, tw)
		if err != nil {
			showStartupError(stderr, err)
			return 1
		}
		eng, done, station = e, stop, workstationView(cfg)
		if f.lang == "" {
			f.lang = cfg.Language
		}
	}
	a := app.NewWithID("fr.cpx-agent.agent")
	trimAfterStart(a, trimDelay, freeOSMemory)
	defer answerSession(instance, a)()
	ui.Run(a, eng, ui.Options{Lang: f.lang, Version: version, Workstation: station})
	cancel() // the window is closed: the engine signs the session out and stops
	done()
	return 0
}

// newEngine builds the real flow engine from the workstation configuration (system file,
// user file, CPX_AGENT_* environment) with the adapters of wire_agent.go, and runs it until ctx
// ends. It returns the workstation configuration and a function that waits for the engine to stop
// (so that the sign-out on exit reaches the portal) and releases the card and the client.
// When tw is not nil, a separate subscription of the engine writes the state trace to it.
func newEngine(ctx context.Context, stderr io.Writer, tw io.Writer) (ui.Engine, config.Config, func(), error) {
	cfg, err := config.Load(config.DefaultSources())
	if err != nil {
		return nil, cfg, nil, err
	}
	log, closeLog := newAppLog(stderr)
	e, release, err := newAgentEngine(cfg, log)
	if err != nil {
		closeLog()
		return nil, cfg, nil, err
	}
	traced := make(chan struct{})
	if tw != nil {
		snaps, _ := e.Subscribe() // closed when Run returns
		go func() { defer close(traced); writeTrace(tw, snaps, time.Now) }()
	} else {
		close(traced)
	}
	idle, _ := e.Subscribe() // closed when Run returns
	go trimWhenIdle(idle)
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
		select {
		case <-traced:
		case <-time.After(time.Second):
		}
		release()
		log.Info("cpx-agent stopped")
		closeLog()
	}
	return e, cfg, wait, nil
}

// workstationView is what the settings screen shows of the configuration (nothing secret:
// internal/config rejects secret-looking keys).
func workstationView(c config.Config) *ui.Workstation {
	return &ui.Workstation{Name: c.Workstation, PortalURL: c.PortalURL, PKCS11Module: c.PKCS11Module,
		RemovalPolicy: c.RemovalPolicy, Reader: c.Reader}
}

// traceEnv names the file `cpx-agent gui` writes its state trace to ("-": stderr).
const traceEnv = "CPX_AGENT_TRACE"

const traceHelp = `
environment:
  CPX_AGENT_TRACE=FILE  append a state trace to FILE ("-": stderr), one line per change of
                        step, busy or error: "<RFC3339Nano time> step=<step> busy=<bool> err=<key or ->".
                        It holds no secret (no PIN, password, code or token). For tests and support.`

// openTrace opens the trace file named by path (appended to, created 0600); "" means no
// trace (nil writer), "-" means stderr.
func openTrace(path string, stderr io.Writer) (io.Writer, func(), error) {
	switch path {
	case "":
		return nil, func() {}, nil
	case "-":
		return stderr, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", traceEnv, err)
	}
	return f, func() { _ = f.Close() }, nil
}

// traceLine is one line of the trace: only the step, the busy flag and the error's stable
// message key, never a value the user typed or the portal returned.
func traceLine(at time.Time, s agent.Snapshot) string {
	key := agent.MessageKey(s.Err)
	if key == "" {
		key = "-"
	}
	return fmt.Sprintf("%s step=%s busy=%t err=%s\n", at.UTC().Format(time.RFC3339Nano), s.Step, s.Busy, key)
}

// traceState is what a trace line shows; a line is written when it changes.
type traceState struct {
	step agent.Step
	busy bool
	key  string
}

// writeTrace writes a line to w for every snapshot of snaps whose step, busy flag or error key
// differs from the previous one, until snaps closes. Each line is one Write.
func writeTrace(w io.Writer, snaps <-chan agent.Snapshot, now func() time.Time) {
	var prev *traceState
	for s := range snaps {
		cur := traceState{s.Step, s.Busy, agent.MessageKey(s.Err)}
		if prev != nil && *prev == cur {
			continue
		}
		prev = &cur
		_, _ = io.WriteString(w, traceLine(now(), s))
	}
}

// teedEngine passes an engine's snapshots to the UI after another reader (the trace, the idle
// trim) saw them: for an engine without Subscribe (the demo engine), whose single stream the UI
// reads.
type teedEngine struct {
	ui.Engine
	out chan agent.Snapshot
}

func (t *teedEngine) Notify() <-chan agent.Snapshot { return t.out }

// teeTrace returns e itself when tw is nil, else e with its snapshots traced to tw on their way
// to the UI (every snapshot, in order: nothing is dropped).
func teeTrace(e ui.Engine, tw io.Writer) ui.Engine {
	if tw == nil {
		return e
	}
	return tee(e, func(snaps <-chan agent.Snapshot) { writeTrace(tw, snaps, time.Now) })
}

// tee returns e with its snapshots passed to sink, in order, on their way to the UI. sink runs
// in its own goroutine and reads its channel until it closes.
func tee(e ui.Engine, sink func(<-chan agent.Snapshot)) ui.Engine {
	t := &teedEngine{Engine: e, out: make(chan agent.Snapshot, 64)}
	in, mid := e.Notify(), make(chan agent.Snapshot)
	go sink(mid)
	go func() {
		defer close(t.out)
		defer close(mid)
		for s := range in {
			mid <- s
			t.out <- s
		}
	}()
	return t
}
