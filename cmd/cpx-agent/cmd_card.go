package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/card"
)

// cardSubcommands are the `cpx-agent card` subcommands. Other files add theirs in init()
// (cardSubcommands["info"] = …).
var cardSubcommands = map[string]command{}

func init() {
	register(command{name: "card", summary: "smart-card tools for IT staff (watch, …)", run: runCard})
	cardSubcommands["watch"] = command{
		summary: "print reader and card events until interrupted ([--json] [--reader NAME])",
		run:     runCardWatch,
	}
}

func runCard(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		w, code := stdout, 0
		if len(args) == 0 {
			w, code = stderr, 2
		}
		cardUsage(w)
		return code
	}
	sub, ok := cardSubcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cpx-agent card: unknown subcommand %q\n\n", args[0])
		cardUsage(stderr)
		return 2
	}
	return sub.run(args[1:], stdin, stdout, stderr)
}

func cardUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: cpx-agent card <subcommand> [flags]")
	fmt.Fprintln(w, "\nsubcommands:")
	printCommands(w, cardSubcommands)
}

// runCardWatch runs until SIGINT or SIGTERM, then exits 0.
func runCardWatch(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cardWatch(ctx, args, stdout, stderr)
}

func cardWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("card watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "one JSON object per line (keys: event, reader, atr, family, generation, known, time)")
	reader := fs.String("reader", "", "watch only this PC/SC reader")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cpx-agent card watch: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	enc := json.NewEncoder(stdout)
	for e := range card.NewMonitor(card.Options{Reader: *reader}).Events(ctx) {
		var err error
		if *asJSON {
			err = enc.Encode(watchJSON(e))
		} else {
			_, err = fmt.Fprintf(stdout, "%s %s\n", e.Time.Format(time.RFC3339), e)
		}
		if err != nil { // stdout closed (| head): stop quietly
			return 0
		}
	}
	return 0
}

// watchLine is the stable JSON shape of `card watch --json`.
type watchLine struct {
	Event      string `json:"event"` // reader-added, reader-removed, card-inserted, card-removed, service-down, service-up
	Reader     string `json:"reader"`
	ATR        string `json:"atr"` // upper-case hex, no spaces; empty when no card
	Family     string `json:"family"`
	Generation string `json:"generation"`
	Known      bool   `json:"known"` // the ATR is a CPx card's (drivers/atr.tsv)
	Time       string `json:"time"`  // RFC 3339 with nanoseconds, UTC
	Name       string `json:"name,omitempty"`
	Error      string `json:"error,omitempty"`
}

func watchJSON(e card.Event) watchLine {
	l := watchLine{
		Event: e.Kind.String(), Reader: e.Reader, Family: e.Card.Family, Generation: e.Card.Generation,
		Known: e.Card.Known, Name: e.Card.Name, Time: e.Time.UTC().Format(time.RFC3339Nano),
	}
	if len(e.ATR) > 0 {
		l.ATR = fmt.Sprintf("%X", e.ATR)
	}
	if e.Err != nil {
		l.Error = e.Err.Error()
	}
	return l
}
