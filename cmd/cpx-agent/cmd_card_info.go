package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

func init() {
	cardSubcommands["info"] = command{
		summary: "reader, ATR, card serial, PKCS#11 token, tries left, holder; --pin-stdin also signs a challenge",
		run:     cardInfo,
	}
}

// Exit codes of card info: the shared table (exitcodes.go).
const (
	cardInfoOK    = exitOK
	cardInfoUsage = exitUsage
)

// cardATRWait bounds the wait for the card monitor's first report (present cards come first).
const cardATRWait = 2 * time.Second

// cardInfoReport is what card info prints (--json: this object, one line).
type cardInfoReport struct {
	Reader     string          `json:"reader"`
	ATR        string          `json:"atr,omitempty"`
	Card       *cardIdent      `json:"card,omitempty"`
	CardSerial string          `json:"card_serial,omitempty"` // EF.SN.ICC, hex
	Token      token.TokenInfo `json:"token"`
	Tries      token.PINTries  `json:"tries"`
	Holder     *cardHolder     `json:"holder,omitempty"`
	Signature  string          `json:"signature,omitempty"` // "verified" after --pin-stdin
	Notes      []string        `json:"notes,omitempty"`
	identity   *cps.Identity   // for the text form
	ident      card.Identification
}

type cardIdent struct {
	Known      bool   `json:"known"`
	Family     string `json:"family,omitempty"`
	Generation string `json:"generation,omitempty"`
	Name       string `json:"name,omitempty"`
}

type cardHolder struct {
	DisplayName string `json:"display_name"`
	NationalID  string `json:"national_id"`
	Family      string `json:"family"`
	Title       string `json:"title,omitempty"`
	NotAfter    string `json:"not_after"`
}

type cardInfoFlags struct {
	reader, module   string
	asJSON, pinStdin bool
}

func cardInfo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("card info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f cardInfoFlags
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object")
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, "read the PIN from standard input, log in, sign and verify a challenge")
	fs.StringVar(&f.reader, "reader", "", "PC/SC reader name (default: the first reader with a card)")
	fs.StringVar(&f.module, "module", "", "PKCS#11 module path, tried before the catalogue")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: cpx-agent card info [--json] [--pin-stdin] [--reader NAME] [--module PATH]")
		return cardInfoUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := collectCardInfo(ctx, f, newSecretInput(stdin, stderr))
	if err != nil {
		return report(stdout, stderr, "card info", f.asJSON, "", err)
	}
	if f.asJSON {
		_ = json.NewEncoder(stdout).Encode(rep)
	} else {
		printCardInfo(stdout, rep)
	}
	return cardInfoOK
}

// collectCardInfo gathers the report.
func collectCardInfo(ctx context.Context, f cardInfoFlags, secrets *secretInput) (*cardInfoReport, error) {
	if err := checkReader(f.reader); err != nil {
		return nil, err
	}
	rep := &cardInfoReport{Reader: f.reader}
	if reader, atr, ok := presentCard(ctx, f.reader); ok {
		rep.Reader, rep.ATR, rep.ident = reader, card.FormatATR(atr), card.Identify(atr)
		rep.Card = &cardIdent{Known: rep.ident.Known, Family: rep.ident.Family, Generation: rep.ident.Generation, Name: rep.ident.Name}
		if sn, err := card.ReadSerial(reader); err == nil {
			rep.CardSerial = hex.EncodeToString(sn)
		} else {
			rep.Notes = append(rep.Notes, "card serial (EF.SN.ICC) unreadable: "+err.Error())
		}
	} else {
		rep.Notes = append(rep.Notes, "no card seen by the PC/SC monitor: ATR omitted")
	}
	tok, err := openCardToken(ctx, rep.Reader, f.module)
	if err != nil {
		return nil, err
	}
	defer tok.Close()
	rep.Token = tok.Info()
	if rep.Reader == "" {
		rep.Reader = rep.Token.SlotDescription
	}
	if rep.Tries, err = tok.TriesLeft(); err != nil {
		return nil, err
	}
	cert, err := tok.Certificate()
	if err != nil {
		return nil, err
	}
	if id, err := cps.FromCertificate(cert); err == nil {
		rep.identity = &id
		rep.Holder = &cardHolder{DisplayName: id.DisplayName(), NationalID: id.NationalID, Family: string(id.Family),
			Title: id.Title, NotAfter: id.NotAfter.Format(time.DateOnly)}
	} else {
		rep.Notes = append(rep.Notes, "certificate subject is not a CPx one: "+err.Error())
	}
	if f.pinStdin {
		if err := signChallenge(ctx, tok, secrets); err != nil {
			return nil, err
		}
		rep.Signature = "verified"
		// The PIN was right: the counter is reset, the flags read before the login are stale.
		if t, err := tok.TriesLeft(); err == nil {
			rep.Tries = t
		}
	}
	return rep, nil
}

// presentCard asks the PC/SC monitor for the card in reader (any reader when empty).
func presentCard(ctx context.Context, reader string) (string, []byte, bool) {
	ctx, cancel := context.WithTimeout(ctx, cardATRWait)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for ev := range card.NewMonitor(card.Options{Reader: reader, Logger: log}).Events(ctx) {
		if ev.Kind == card.CardInserted {
			return ev.Reader, ev.ATR, true
		}
	}
	return "", nil, false
}

// signChallenge logs in once with the PIN (asked without echo at a terminal, else one line
// of stdin), signs a random challenge and verifies the signature against the certificate.
func signChallenge(ctx context.Context, tok *token.Token, secrets *secretInput) error {
	pin, err := secrets.read(ctx, "Code PIN de la carte : ", "PIN")
	if err != nil {
		return err
	}
	if len(pin) > 64 {
		clear(pin)
		return &cliError{Code: codePINFormat, exit: exitUsage, Message: sentence(codePINFormat, nil)}
	}
	key, err := tok.Login(pin)
	clear(pin)
	if err != nil {
		return err
	}
	defer key.Close()
	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		return err
	}
	digest := sha256.Sum256(challenge)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err == nil {
		err = rsa.VerifyPKCS1v15(key.Certificate().PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig)
	}
	if err != nil {
		return fmt.Errorf("signature du défi : %w", err)
	}
	return nil
}

func printCardInfo(w io.Writer, r *cardInfoReport) {
	p := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-18s %s\n", k+":", v)
		}
	}
	p("reader", r.Reader)
	p("atr", r.ATR)
	if r.Card != nil {
		p("card", r.ident.String())
	}
	p("card serial", r.CardSerial)
	p("module", r.Token.Module+" ("+r.Token.Library+")")
	p("token label", r.Token.Label)
	model := r.Token.Model
	if r.Token.Generation != "" {
		model += " (" + r.Token.Generation + ")"
	}
	p("token model", model)
	p("token serial", r.Token.Serial)
	tries := "unknown (no PKCS#11 flag)"
	if r.Tries.Known {
		tries = fmt.Sprint(r.Tries.Left)
	} else if r.Tries.Low {
		tries = "fewer than the maximum (COUNT_LOW)"
	}
	p("tries left", tries)
	if r.identity != nil {
		p("holder", fmt.Sprintf("%s (%s %s, %s)", r.identity.DisplayName(), r.identity.Family, r.identity.NationalID, r.identity.Title))
		p("certificate until", r.Holder.NotAfter)
	}
	if r.Signature != "" {
		fmt.Fprintln(w, "signature: "+r.Signature)
	}
	for _, n := range r.Notes {
		p("note", n)
	}
}
