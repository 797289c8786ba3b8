package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
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
		names := slices.Sorted(maps.Keys(loginSubcommands))
		fmt.Fprintf(stderr, "usage: cpx-agent login %s [flags]\n", strings.Join(names, "|"))
		return 2
	}
	return loginSubcommands[args[0]](args[1:], stdin, stdout, stderr)
}

type loginCardFlags struct {
	portal, reader, module, ca, profile, phone, workstation string
	pinStdin, takeover, asJSON, watch                       bool
}

// loginCard: PIN → card key → mutual TLS sign-in → profile → phone → prints the session.
// A failure after the sign-in signs the new session out, so nothing is left behind. Without
// --watch a successful session stays open (until it expires or an admin revokes it); with
// --watch it prints the session's events until the session ends, and SIGTERM signs out.
func loginCard(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseLoginCard(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pc, err := portalClient(f)
	if err != nil {
		return report(stdout, stderr, "login card", f.asJSON, f.portal, err)
	}
	in, err := cardSignIn(ctx, f, pc, stdin, stderr)
	if err != nil {
		return report(stdout, stderr, "login card", f.asJSON, f.portal, err)
	}
	return finishLogin(ctx, "login card", f, pc, in, stdout, stderr)
}

// signInThenFinish runs a portal sign-in (signIn) under a context that Ctrl-C or SIGTERM
// cancels, then the steps every method shares (finishLogin); a refusal is reported as cmd.
func signInThenFinish(cmd string, f loginCardFlags, stdout, stderr io.Writer,
	signIn func(ctx context.Context, pc *client.Client) (api.SignIn, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pc, err := portalClient(f)
	if err != nil {
		return report(stdout, stderr, cmd, f.asJSON, f.portal, err)
	}
	in, err := signIn(ctx, pc)
	if err != nil {
		return report(stdout, stderr, cmd, f.asJSON, f.portal, err)
	}
	return finishLogin(ctx, cmd, f, pc, in, stdout, stderr)
}

// finishLogin chooses the profile and links the phone; on failure it signs the session out and
// reports the error, on success it prints the session and, with --watch, its events.
func finishLogin(ctx context.Context, cmd string, f loginCardFlags, pc *client.Client, in api.SignIn, stdout, stderr io.Writer) int {
	sess, err := afterSignIn(ctx, f, pc, in, stderr)
	if err != nil {
		signOut(pc, in.Token)
		return report(stdout, stderr, cmd, f.asJSON, f.portal, err)
	}
	printSession(stdout, f.asJSON, sess)
	if !f.watch {
		return exitOK
	}
	return watch(ctx, cmd, pc, in.Token, f, stdout, stderr)
}

// signOut ends the session, even when the command's context was cancelled.
func signOut(pc *client.Client, tok string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = pc.SignOut(ctx, tok)
}

// printLoginNotes says, in every login subcommand's help, where defaults come from and what
// happens to the session.
func printLoginNotes(stderr io.Writer) {
	fmt.Fprintln(stderr, "Les options non données viennent de la configuration du poste (portal_url, portal_ca,")
	fmt.Fprintln(stderr, "pkcs11_module, reader, workstation : /etc/cpx-agent/config.json, fichier utilisateur, CPX_AGENT_*).")
	fmt.Fprintln(stderr, "Sans --watch, la session reste ouverte jusqu'à son expiration ou « cpx-portal admin session revoke ».")
	fmt.Fprintln(stderr, "En cas d'échec après la connexion, la session ouverte est refermée.")
}

// usageExit: --help is not an error.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// loginFlagSet is the flag set of `cpx-agent login <method>`, with the flags every sign-in
// shares (portal, profile, phone, output, CA, workstation) bound to f.
func loginFlagSet(method string, f *loginCardFlags, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("login "+method, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: cpx-agent login %s [flags]\n", method)
		printLoginNotes(stderr)
		fs.PrintDefaults()
		printExitCodes(stderr)
	}
	fs.StringVar(&f.portal, "portal", "", "portal URL (https://host:port; default: portal_url of the configuration)")
	fs.StringVar(&f.profile, "profile", "", "profile id to choose (default: the only one, or the last one chosen here)")
	fs.StringVar(&f.phone, "phone", "", "desk phone number (numéro unique) to link")
	fs.BoolVar(&f.takeover, "takeover", false, "take the phone over from the session holding it")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON lines instead of text")
	fs.BoolVar(&f.watch, "watch", false, "stay and print the session's events until it ends")
	fs.StringVar(&f.ca, "ca", "", "PEM file of the CAs that issue the portal's certificate (default: system)")
	fs.StringVar(&f.workstation, "workstation", "", "workstation name sent to the portal (default: configuration, else host name)")
	return fs
}

// parseLoginArgs parses args with fs (from loginFlagSet) and fills what they leave unset in f
// from the workstation configuration.
func parseLoginArgs(fs *flag.FlagSet, f *loginCardFlags, args []string, stderr io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyWorkstationConfig(fs, f, stderr); err != nil {
		fmt.Fprintf(stderr, "cpx-agent %s: %v\n", fs.Name(), err)
		return err
	}
	return nil
}

func parseLoginCard(args []string, stderr io.Writer) (loginCardFlags, error) {
	var f loginCardFlags
	fs := loginFlagSet("card", &f, stderr)
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, "read the PIN from the first line of standard input")
	fs.StringVar(&f.reader, "reader", "", "PC/SC reader name (default: the first with a card)")
	fs.StringVar(&f.module, "module", "", "PKCS#11 module path (default: the catalogue for this system)")
	if err := parseLoginArgs(fs, &f, args, stderr); err != nil {
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
			return nil, &cliError{Code: "usage", exit: exitUsage, Message: "Fichier --ca illisible : " + f.ca}
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, &cliError{Code: "usage", exit: exitUsage, Message: "Le fichier --ca " + f.ca + " ne contient aucun certificat PEM."}
		}
	}
	pc, err := client.New(f.portal, client.Options{RootCAs: pool})
	if err != nil {
		return nil, &cliError{Code: "usage", exit: exitUsage, Message: "Adresse du portail invalide : " + f.portal}
	}
	return pc, nil
}

// cardSignIn opens the card, verifies the PIN once, signs in, and closes the card again.
func cardSignIn(ctx context.Context, f loginCardFlags, pc *client.Client, stdin io.Reader, stderr io.Writer) (api.SignIn, error) {
	if err := checkReader(f.reader); err != nil {
		return api.SignIn{}, err
	}
	var mods []string
	if f.module != "" {
		mods = []string{f.module}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil)) // no module-choice INFO lines for operators (QA S3-11)
	tok, err := token.Open(ctx, token.Options{Modules: token.DefaultModules(mods...), Reader: f.reader, Logger: quiet})
	if err != nil {
		return api.SignIn{}, err
	}
	defer tok.Close()
	pin, err := newSecretInput(stdin, stderr).read(ctx, "Code PIN de la carte : ", "PIN")
	if err != nil {
		return api.SignIn{}, err
	}
	key, err := tok.Login(pin)
	clear(pin)
	if err != nil {
		return api.SignIn{}, err
	}
	defer key.Close()
	// The key is the signer: the client decides PKCS#1 v1.5 or PSS from Key.CanPSS.
	return pc.SignInCard(ctx, key, key.Certificate(), f.workstation)
}

// afterSignIn picks the profile and links the phone as asked.
func afterSignIn(ctx context.Context, f loginCardFlags, pc *client.Client, in api.SignIn, stderr io.Writer) (api.Session, error) {
	sess := in.Session
	profile := f.profile
	if profile == "" {
		ps, err := pc.Profiles(ctx, in.Token)
		if err != nil {
			return sess, err
		}
		switch {
		case len(ps.Profiles) == 1:
			profile = ps.Profiles[0].ID
		case ps.LastID != "":
			profile = ps.LastID
		case len(ps.Profiles) > 1:
			for _, p := range ps.Profiles {
				fmt.Fprintf(stderr, "  %s  %s — %s\n", p.ID, p.Label, p.Entity.Name)
			}
			return sess, &cliError{Code: codeMultipleProfiles, exit: exitUsage,
				Message: "Plusieurs profils (ci-dessus) : choisissez-en un avec --profile ID."}
		}
	}
	if profile != "" {
		s, err := pc.ChooseProfile(ctx, in.Token, profile)
		if err != nil {
			return sess, err
		}
		sess = s
	}
	if f.phone == "" {
		return sess, nil
	}
	return pc.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: f.phone, Takeover: f.takeover})
}
