package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
)

func init() { loginSubcommands["otp"] = loginOTP }

type loginOTPFlags struct {
	loginCardFlags
	identifiant, channel, codeFile string
	passwordStdin, codeStdin       bool
	remember                       bool
	codeWait                       time.Duration
}

// otpKeys keeps the "remember this workstation" device tokens (OS keyring; tests swap it).
var otpKeys agent.KeyStore = keystore.New()

// loginOTP: identifiant + password → code by e-mail or SMS → session, then profile and phone
// as login card does. With --remember the device token goes to the OS keyring and the next
// sign-in on this workstation skips the code for 24 h.
func loginOTP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseLoginOTP(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	return signInThenFinish("login otp", f.loginCardFlags, stdout, stderr, func(ctx context.Context, pc *client.Client) (api.SignIn, error) {
		return otpSignIn(ctx, f, pc, newSecretInput(stdin, stderr), stderr)
	})
}

func parseLoginOTP(args []string, stderr io.Writer) (loginOTPFlags, error) {
	var f loginOTPFlags
	fs := loginFlagSet("otp", &f.loginCardFlags, stderr)
	fs.StringVar(&f.identifiant, "identifiant", "", "identifiant (prénom.nom) or e-mail address")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "the password is the first line of standard input (a terminal asks for it, without echo)")
	fs.StringVar(&f.channel, "channel", "", "where the code goes: email or sms (default: e-mail)")
	fs.BoolVar(&f.codeStdin, "code-stdin", false, "the code is the next line of standard input (the default without --code-file)")
	fs.StringVar(&f.codeFile, "code-file", "", "wait for a file holding the code (tests, scripts)")
	fs.DurationVar(&f.codeWait, "code-wait", 5*time.Minute, "how long to wait for --code-file")
	fs.BoolVar(&f.remember, "remember", false, "remember this workstation for 24 h (no code on the next sign-in)")
	if err := parseLoginArgs(fs, &f.loginCardFlags, args, stderr); err != nil {
		return f, err
	}
	switch {
	case f.portal == "" || f.identifiant == "" || fs.NArg() != 0:
		fmt.Fprintln(stderr, "cpx-agent login otp: --portal URL and --identifiant ID are required, and no other argument")
		return f, errors.New("usage")
	case f.channel != "" && f.channel != api.ChannelEmail && f.channel != api.ChannelSMS:
		fmt.Fprintln(stderr, "cpx-agent login otp: --channel is email or sms")
		return f, errors.New("usage")
	case f.codeStdin && f.codeFile != "":
		fmt.Fprintln(stderr, "cpx-agent login otp: --code-stdin or --code-file, not both")
		return f, errors.New("usage")
	}
	return f, nil
}

func deviceTokenKey(identifiant string) string {
	return agent.KeyDeviceTokenPrefix + strings.ToLower(strings.TrimSpace(identifiant))
}

// otpSignIn: password (the device token may skip the code), then the code.
func otpSignIn(ctx context.Context, f loginOTPFlags, pc *client.Client, in *secretInput, stderr io.Writer) (api.SignIn, error) {
	pw, err := in.read(ctx, "Mot de passe : ", "password")
	if err != nil {
		return api.SignIn{}, err
	}
	dev, _ := otpKeys.Get(deviceTokenKey(f.identifiant))
	ch, err := pc.SignInPassword(ctx, f.identifiant, pw, f.workstation, dev)
	clear(pw)
	if err != nil {
		return api.SignIn{}, err
	}
	if ch.SignIn != nil {
		fmt.Fprintln(stderr, "Poste mémorisé : pas de code à saisir.")
		return *ch.SignIn, nil
	}
	if dev != "" {
		otpKeys.Delete(deviceTokenKey(f.identifiant)) // cancelled or expired: forget it
	}
	r, err := pc.SendOTPStatus(ctx, ch.ChallengeID, f.channel)
	if err != nil {
		return api.SignIn{}, err
	}
	fmt.Fprintf(stderr, "Code envoyé à %s (valable 5 minutes).\n", r.SentTo)
	code, err := readCode(ctx, f, in)
	if err != nil {
		return api.SignIn{}, err
	}
	out, err := pc.VerifyOTP(ctx, ch.ChallengeID, string(code), f.remember) // the client's wire type holds a string
	clear(code)
	if err != nil {
		return api.SignIn{}, err
	}
	if out.DeviceToken != "" {
		if err := otpKeys.Set(deviceTokenKey(f.identifiant), out.DeviceToken); err != nil {
			fmt.Fprintln(stderr, "Poste non mémorisé : trousseau du système indisponible.")
		}
	}
	return out, nil
}

var codeInFile = regexp.MustCompile(`\b\d{6}\b`)

// readCode reads the code from standard input (without echo at a terminal), or waits for
// --code-file to hold one. The caller clears the returned bytes.
func readCode(ctx context.Context, f loginOTPFlags, in *secretInput) ([]byte, error) {
	if f.codeFile == "" {
		b, err := in.read(ctx, "Code reçu : ", "code")
		return bytes.TrimSpace(b), err
	}
	ctx, cancel := context.WithTimeout(ctx, f.codeWait)
	defer cancel()
	for {
		if b, err := os.ReadFile(f.codeFile); err == nil {
			code := bytes.Clone(codeInFile.Find(b))
			clear(b)
			if code != nil {
				return code, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, &cliError{Code: codeNoInput, exit: exitError,
				Message: fmt.Sprintf("Aucun code dans %s après %s.", f.codeFile, f.codeWait)}
		case <-time.After(100 * time.Millisecond):
		}
	}
}
