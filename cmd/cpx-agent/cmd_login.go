package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// loginSubcommands are the ways `cpx-agent login` signs in; other files add theirs in init().
var loginSubcommands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int{
	"card": loginCard,
}

func init() {
	register(command{name: "login", summary: "sign in to cpx-portal without the GUI (login card …)", run: runLogin})
}

func runLogin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || loginSubcommands[args[0]] == nil {
		names := make([]string, 0, len(loginSubcommands))
		for n := range loginSubcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "usage: cpx-agent login %s [flags]\n", strings.Join(names, "|"))
		return 2
	}
	return loginSubcommands[args[0]](args[1:], stdin, stdout, stderr)
}

// Exit codes of login card.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitPhoneHeld = 3 // the phone is linked to another session and --takeover was not given
)

type loginCardFlags struct {
	portal, reader, module, ca, profile, phone, workstation string
	pinStdin, takeover, asJSON, watch                       bool
}

// loginCard: PIN → card key → mutual TLS sign-in → profile → phone → prints the session.
// With --watch it then prints the session's events until the session ends (or SIGTERM).
func loginCard(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseLoginCard(args, stderr)
	if err != nil {
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pc, err := portalClient(f)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-agent login card:", err)
		return exitUsage
	}
	in, err := cardSignIn(ctx, f, pc, stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-agent login card:", frenchError(err))
		return exitError
	}
	sess, code := afterSignIn(ctx, f, pc, in, stderr)
	printSession(stdout, f.asJSON, sess)
	if code != exitOK || !f.watch {
		return code
	}
	return watch(ctx, pc, in.Token, f.asJSON, stdout, stderr)
}

func parseLoginCard(args []string, stderr io.Writer) (loginCardFlags, error) {
	var f loginCardFlags
	fs := flag.NewFlagSet("login card", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host, _ := os.Hostname()
	fs.StringVar(&f.portal, "portal", "", "portal URL (https://host:port)")
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, "read the PIN from the first line of standard input")
	fs.StringVar(&f.profile, "profile", "", "profile id to choose (default: the only one, or the last one chosen here)")
	fs.StringVar(&f.phone, "phone", "", "desk phone number (numéro unique) to link")
	fs.BoolVar(&f.takeover, "takeover", false, "take the phone over from the session holding it")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON lines instead of text")
	fs.BoolVar(&f.watch, "watch", false, "stay and print the session's events until it ends")
	fs.StringVar(&f.reader, "reader", "", "PC/SC reader name (default: the first with a card)")
	fs.StringVar(&f.module, "module", "", "PKCS#11 module path (default: the catalogue for this system)")
	fs.StringVar(&f.ca, "ca", "", "PEM file of the CAs that issue the portal's certificate (default: system)")
	fs.StringVar(&f.workstation, "workstation", host, "workstation name sent to the portal")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.portal == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "cpx-agent login card: --portal URL is required, and no other argument")
		return f, errors.New("usage")
	}
	return f, nil
}

func portalClient(f loginCardFlags) (*client.Client, error) {
	var pool *x509.CertPool
	if f.ca != "" {
		b, err := os.ReadFile(f.ca)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate", f.ca)
		}
	}
	return client.New(f.portal, client.Options{RootCAs: pool})
}

// cardSignIn opens the card, verifies the PIN once, signs in, and closes the card again.
func cardSignIn(ctx context.Context, f loginCardFlags, pc *client.Client, stdin io.Reader, stderr io.Writer) (api.SignIn, error) {
	var mods []string
	if f.module != "" {
		mods = []string{f.module}
	}
	tok, err := token.Open(ctx, token.Options{Modules: token.DefaultModules(mods...), Reader: f.reader})
	if err != nil {
		return api.SignIn{}, err
	}
	defer tok.Close()
	pin, err := readSecret(stdin, "Code PIN de la carte : ", stderr, "PIN")
	if err != nil {
		return api.SignIn{}, err
	}
	key, err := tok.Login(pin)
	clear(pin)
	if err != nil {
		return api.SignIn{}, err
	}
	defer key.Close()
	return pc.SignInCard(ctx, keyCredential{key}, f.workstation)
}

// keyCredential adapts a card key to agent.Credential (the client decides PKCS#1 v1.5 or PSS
// from Key.CanPSS).
type keyCredential struct{ k *token.Key }

func (c keyCredential) Signer() crypto.Signer          { return c.k }
func (c keyCredential) Certificate() *x509.Certificate { return c.k.Certificate() }
func (c keyCredential) Close() error                   { return c.k.Close() }

// afterSignIn picks the profile and links the phone as asked.
func afterSignIn(ctx context.Context, f loginCardFlags, pc *client.Client, in api.SignIn, stderr io.Writer) (api.Session, int) {
	sess := in.Session
	profile := f.profile
	if profile == "" {
		ps, err := pc.Profiles(ctx, in.Token)
		if err != nil {
			fmt.Fprintln(stderr, "cpx-agent login card:", frenchError(err))
			return sess, exitError
		}
		switch {
		case len(ps.Profiles) == 1:
			profile = ps.Profiles[0].ID
		case ps.LastID != "":
			profile = ps.LastID
		default:
			fmt.Fprintln(stderr, "Plusieurs profils : choisissez-en un avec --profile ID")
			for _, p := range ps.Profiles {
				fmt.Fprintf(stderr, "  %s  %s — %s\n", p.ID, p.Label, p.Entity.Name)
			}
		}
	}
	if profile != "" {
		s, err := pc.ChooseProfile(ctx, in.Token, profile)
		if err != nil {
			fmt.Fprintln(stderr, "cpx-agent login card:", frenchError(err))
			return sess, exitError
		}
		sess = s
	}
	if f.phone == "" {
		return sess, exitOK
	}
	s, err := pc.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: f.phone, Takeover: f.takeover})
	if err != nil {
		fmt.Fprintln(stderr, "cpx-agent login card:", frenchError(err))
		if api.CodeOf(err) == api.CodePhoneTaken {
			return sess, exitPhoneHeld
		}
		return sess, exitError
	}
	return s, exitOK
}

func watch(ctx context.Context, pc *client.Client, tok string, asJSON bool, stdout, stderr io.Writer) int {
	events, err := pc.Events(ctx, tok)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-agent login card:", frenchError(err))
		return exitError
	}
	for e := range events {
		if asJSON {
			json.NewEncoder(stdout).Encode(map[string]any{"event": e})
			continue
		}
		fmt.Fprintln(stdout, frenchEvent(e))
	}
	if ctx.Err() != nil {
		// Interrupted: sign out so the phone is freed at once.
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pc.SignOut(sctx, tok)
	}
	return exitOK
}
