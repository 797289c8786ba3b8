package main

import (
	"context"
	"crypto/subtle"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/token"
)

// Card self-service (CPS Gestion parity): change the PIN, unblock with the PUK. Each secret is
// asked once (without echo at a terminal, else one line of standard input), sent to the card
// once — never retried — and zeroed after use; nothing of it is logged or printed.

func init() {
	cardSubcommands["pin"] = command{
		summary: "pin change: change the card PIN (current PIN, new PIN twice)",
		run:     cardPIN,
	}
	cardSubcommands["unblock"] = command{
		summary: "unblock a blocked card with its unblock code (PUK, 8 digits) and a new PIN",
		run:     cardUnblock,
	}
}

type cardPINFlags struct {
	reader, module string
	asJSON         bool
}

func parseCardPINFlags(name string, args []string, stderr io.Writer) (cardPINFlags, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f cardPINFlags
	fs.BoolVar(&f.asJSON, "json", false, `print {"result": …} or {"error": …}`)
	fs.StringVar(&f.reader, "reader", "", "PC/SC reader name (default: the first reader with a card)")
	fs.StringVar(&f.module, "module", "", "PKCS#11 module path, tried before the catalogue")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintf(stderr, "usage: cpx-agent %s [--json] [--reader NAME] [--module PATH]\n", name)
		return f, false
	}
	return f, true
}

func cardPIN(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "change" {
		fmt.Fprintln(stderr, "usage: cpx-agent card pin change [--json] [--reader NAME] [--module PATH]")
		return exitUsage
	}
	f, ok := parseCardPINFlags("card pin change", args[1:], stderr)
	if !ok {
		return exitUsage
	}
	return runCardSecret(f, "card pin change", stdout, stderr, func(ctx context.Context, tok *token.Token) (string, error) {
		s := newSecretInput(stdin, stderr)
		old, err := s.read(ctx, "Code PIN actuel : ", "PIN")
		if err != nil {
			return "", err
		}
		defer clear(old)
		pin, err := newPINTwice(ctx, s)
		if err != nil {
			return "", err
		}
		defer clear(pin)
		if err := tok.ChangePIN(old, pin); err != nil {
			return "", err
		}
		return "Code PIN modifié.", nil
	})
}

func cardUnblock(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, ok := parseCardPINFlags("card unblock", args, stderr)
	if !ok {
		return exitUsage
	}
	return runCardSecret(f, "card unblock", stdout, stderr, func(ctx context.Context, tok *token.Token) (string, error) {
		s := newSecretInput(stdin, stderr)
		puk, err := s.read(ctx, "Code de déblocage (PUK, 8 chiffres, sur le courrier de votre carte) : ", "PUK")
		if err != nil {
			return "", err
		}
		defer clear(puk)
		pin, err := newPINTwice(ctx, s)
		if err != nil {
			return "", err
		}
		defer clear(pin)
		if err := tok.Unblock(puk, pin); err != nil {
			return "", pukTriesError(tok, err)
		}
		return "Carte débloquée : utilisez désormais votre nouveau code PIN.", nil
	})
}

// newPINTwice reads the new PIN and its confirmation; they must match (constant time).
func newPINTwice(ctx context.Context, s *secretInput) ([]byte, error) {
	pin, err := s.read(ctx, "Nouveau code PIN (4 chiffres) : ", "PIN")
	if err != nil {
		return nil, err
	}
	again, err := s.read(ctx, "Confirmez le nouveau code PIN : ", "PIN")
	if err != nil {
		clear(pin)
		return nil, err
	}
	defer clear(again)
	if subtle.ConstantTimeCompare(pin, again) != 1 {
		clear(pin)
		return nil, &cliError{Code: codePINMismatch, exit: exitUsage,
			Message: "Les deux saisies du nouveau code PIN diffèrent : rien n'a été envoyé à la carte."}
	}
	return pin, nil
}

// pukTriesError adds the unblock code's tries to a wrong-PUK error when the token tells them.
func pukTriesError(tok *token.Token, err error) error {
	if !isPUKIncorrect(err) {
		return err
	}
	t, terr := tok.PUKTries()
	if terr != nil || !t.Known {
		return err
	}
	return &pukTriesErr{err: err, left: t.Left}
}

// runCardSecret opens the card's token and runs op once.
func runCardSecret(f cardPINFlags, name string, stdout, stderr io.Writer, op func(context.Context, *token.Token) (string, error)) int {
	if err := checkReader(f.reader); err != nil {
		return report(stdout, stderr, name, f.asJSON, "", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tok, err := openCardToken(ctx, f.reader, f.module)
	if err != nil {
		return report(stdout, stderr, name, f.asJSON, "", err)
	}
	defer tok.Close()
	msg, err := op(ctx, tok)
	if err != nil {
		return report(stdout, stderr, name, f.asJSON, "", err)
	}
	if f.asJSON {
		fmt.Fprintf(stdout, "{\"result\":\"ok\"}\n")
	} else {
		fmt.Fprintln(stdout, msg)
	}
	return exitOK
}

// openCardToken opens the PKCS#11 token of the card in reader (module tried before the
// catalogue), its logs discarded: the commands print their own French sentences.
func openCardToken(ctx context.Context, reader, module string) (*token.Token, error) {
	var mods []string
	if module != "" {
		mods = []string{module}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return token.Open(ctx, token.Options{Modules: token.DefaultModules(mods...), Reader: reader, Logger: log})
}
