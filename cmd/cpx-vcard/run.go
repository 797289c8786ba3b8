package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

type runFlags struct {
	state, pkiDir, host, atr, holder, pin, puk string
	port                                       int
	removed, debug                             bool
}

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, int) {
	f := &runFlags{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.state, "state", "", "card state directory (default: <user state dir>/cpx-vcard/<holder>)")
	fs.StringVar(&f.pkiDir, "pki", "", "test PKI directory, created with the demo holders when missing (default: <user state dir>/cpx-vcard/pki)")
	fs.StringVar(&f.host, "host", "127.0.0.1", "vpcd host")
	fs.IntVar(&f.port, "port", vcard.DefaultPort, "vpcd TCP port (35963 = \"Virtual PCD 00 00\", 35964 = \"Virtual PCD 00 01\")")
	fs.StringVar(&f.atr, "atr", "cps4", "ATR: a name of `cpx-vcard atrs` or hex bytes")
	fs.StringVar(&f.holder, "holder", "cps", "demo holder put on a new card: "+strings.Join(pki.DemoKeys(), ", "))
	fs.StringVar(&f.pin, "pin", vcard.DefaultPIN, "PIN of a new card (4-8 digits; ignored when --state already holds a card)")
	fs.StringVar(&f.puk, "puk", vcard.DefaultPUK, "PUK of a new card (8 digits; ignored when --state already holds a card)")
	fs.BoolVar(&f.removed, "removed", false, "start with the card removed")
	fs.BoolVar(&f.debug, "debug", false, "debug logs")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cpx-vcard run: unexpected argument %q\n", fs.Arg(0))
		return nil, 2
	}
	if f.port <= 0 || f.port > 65535 {
		fmt.Fprintf(stderr, "cpx-vcard run: bad --port %d\n", f.port)
		return nil, 2
	}
	base := userStateDir()
	if f.state == "" {
		f.state = filepath.Join(base, "cpx-vcard", f.holder)
	}
	if f.pkiDir == "" {
		f.pkiDir = filepath.Join(base, "cpx-vcard", "pki")
	}
	return f, -1
}

func userStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return d
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state")
	}
	return os.TempDir()
}

// runCard implements `cpx-vcard run`. Exit codes: 0 quit, 1 failure, 2 usage.
func runCard(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, code := parseRunFlags(args, stderr)
	if f == nil {
		return code
	}
	level := slog.LevelInfo
	if f.debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	atr, err := vcard.ParseATR(f.atr)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-vcard run: %v (see `cpx-vcard atrs`)\n", err)
		return 2
	}
	out := &lineWriter{w: stdout}
	card, err := openCard(f, atr, log, out)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-vcard run: %v\n", err)
		return 1
	}
	defer card.Close()
	cert := card.Certificate()
	out.printf("ready holder=%q serial=%X port=%d atr=%X state=%s", cert.Subject.CommonName, card.Serial(), f.port, card.ATR(), f.state)
	if !f.removed {
		if err := card.Insert(); err != nil {
			fmt.Fprintf(stderr, "cpx-vcard run: %v\n", err)
			return 1
		}
	}
	serve(card, stdin, out)
	return 0
}

// openCard loads the card kept in the state directory, or makes it from the demo holder of
// the PKI directory (creating that PKI when missing).
func openCard(f *runFlags, atr []byte, log *slog.Logger, out *lineWriter) (*vcard.Card, error) {
	cfg := vcard.Config{
		StateDir: f.state, Host: f.host, Port: f.port, ATR: atr, PIN: f.pin, PUK: f.puk, Logger: log,
		OnEvent: func(e vcard.Event) {
			switch e {
			case vcard.EventInserted, vcard.EventRemoved, vcard.EventConnected, vcard.EventDisconnected:
				out.printf("%s port=%d", e, f.port)
			}
		},
	}
	card, err := vcard.New(cfg)
	if !errors.Is(err, vcard.ErrNoState) {
		return card, err
	}
	if _, known := pki.DemoHolders()[f.holder]; !known {
		return nil, fmt.Errorf("unknown --holder %q (want one of %s)", f.holder, strings.Join(pki.DemoKeys(), ", "))
	}
	demo, err := pki.OpenOrCreateDemo(f.pkiDir)
	if err != nil {
		return nil, fmt.Errorf("test pki in %s: %w", f.pkiDir, err)
	}
	is := demo.Holders[f.holder]
	cfg.Cert, cfg.Key = is.Cert, is.Key
	log.Info("new card", "holder", f.holder, "state", f.state, "pki", f.pkiDir)
	return vcard.New(cfg)
}

// serve applies stdin commands and signals until quit, end of signals, or SIGINT/SIGTERM.
// End of stdin is not a quit: the card keeps serving (background runs read /dev/null).
func serve(card *vcard.Card, stdin io.Reader, out *lineWriter) {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
	}()
	toggle, stop, release := notifySignals()
	defer release()
	for {
		select {
		case line, open := <-lines:
			if !open {
				lines = nil
				continue
			}
			if quit := apply(card, line, out); quit {
				return
			}
		case <-toggle:
			apply(card, "toggle", out)
		case <-stop:
			out.printf("quit")
			return
		}
	}
}

// apply applies one stdin command; it reports whether to quit.
func apply(card *vcard.Card, line string, out *lineWriter) bool {
	var err error
	switch line {
	case "":
	case "insert":
		err = card.Insert()
	case "remove":
		err = card.Remove()
	case "toggle":
		if card.Inserted() {
			err = card.Remove()
		} else {
			err = card.Insert()
		}
	case "status":
		out.printf("status inserted=%t connected=%t", card.Inserted(), card.Connected())
	case "quit", "exit":
		out.printf("quit")
		return true
	default:
		out.printf("error unknown command %q (insert, remove, toggle, status, quit)", line)
	}
	if err != nil {
		out.printf("error %v", err)
	}
	return false
}

// lineWriter prints whole lines from several goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}
