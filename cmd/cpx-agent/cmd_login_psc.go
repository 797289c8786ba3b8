package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/term"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
)

func init() { loginSubcommands["psc"] = loginPSC }

type loginPSCFlags struct {
	loginCardFlags
	nationalID string
	browser    bool
}

// loginPSC: Pro Santé Connect through the portal. By default a push to the holder's e-CPS
// app (CIBA): the binding code is printed, then a countdown while the portal waits for the
// approval; with --browser the system browser opens PSC's page through the portal and the
// session comes back on a loopback redirect. Then profile, phone and --watch as `login card`.
func loginPSC(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseLoginPSC(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	return signInThenFinish("login psc", f.loginCardFlags, stdout, stderr, func(ctx context.Context, pc *client.Client) (api.SignIn, error) {
		if f.browser {
			return pc.BrowserSignIn(ctx, f.workstation, func(url string) error { return openURL(url, stderr) })
		}
		return cibaSignIn(ctx, f, pc, stdout, stderr)
	})
}

func parseLoginPSC(args []string, stderr io.Writer) (loginPSCFlags, error) {
	var f loginPSCFlags
	fs := loginFlagSet("psc", &f.loginCardFlags, stderr)
	fs.StringVar(&f.nationalID, "national-id", "", "national id known to Pro Santé Connect (\"8\"+RPPS, or a staff id such as 500000001815646/CPAT00045)")
	fs.BoolVar(&f.browser, "browser", false, "sign in in the system browser (code flow) instead of a push to the e-CPS app")
	if err := parseLoginArgs(fs, &f.loginCardFlags, args, stderr); err != nil {
		return f, err
	}
	if f.portal == "" || fs.NArg() != 0 || (f.nationalID == "" && !f.browser) {
		fmt.Fprintln(stderr, "cpx-agent login psc: --portal URL and --national-id N (or --browser) are required, and no other argument")
		return f, errors.New("usage")
	}
	return f, nil
}

// cibaSignIn asks the portal to push the sign-in, prints the binding code and waits, showing
// the time left. An interruption cancels the request on the portal.
func cibaSignIn(ctx context.Context, f loginPSCFlags, pc *client.Client, stdout, stderr io.Writer) (api.SignIn, error) {
	st, err := pc.StartPSC(ctx, f.nationalID, f.workstation)
	if err != nil {
		return api.SignIn{}, err
	}
	fmt.Fprintf(stderr, "Vérifiez que le code %s s'affiche sur votre téléphone et validez dans l'application e-CPS.\n", st.BindingCode)
	if f.asJSON {
		json.NewEncoder(stdout).Encode(map[string]any{"psc": map[string]any{"binding_code": st.BindingCode, "expires_at": st.ExpiresAt}})
	}
	stopCount := countdown(stderr, st.ExpiresAt)
	defer stopCount()
	for {
		w, err := pc.WaitPSC(ctx, st.RequestID)
		if ctx.Err() != nil {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = pc.CancelPSC(cctx, st.RequestID)
			cancel()
			return api.SignIn{}, ctx.Err()
		}
		switch {
		case err != nil:
			return api.SignIn{}, err
		case w.Status == api.PSCDone && w.SignIn != nil:
			return *w.SignIn, nil
		}
	}
}

// countdown shows the time left until expiresAt: a line rewritten every second on a
// terminal, a line every 30 s otherwise. The returned func stops it.
func countdown(w io.Writer, expiresAt time.Time) func() {
	f, isFile := w.(*os.File)
	tty := isFile && term.IsTerminal(int(f.Fd()))
	every := 30 * time.Second
	if tty {
		every = time.Second
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			left := max(time.Until(expiresAt).Round(time.Second), 0)
			line := fmt.Sprintf("En attente de la validation… %d min %02d s", int(left.Minutes()), int(left.Seconds())%60)
			if tty {
				fmt.Fprintf(w, "\r%s ", line)
			} else {
				fmt.Fprintln(w, line)
			}
			select {
			case <-done:
				if tty {
					fmt.Fprintln(w)
				}
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// openURL opens the browser flow's page (tests drive a headless Chromium instead).
var openURL = openBrowser

// openBrowser opens url in the system browser (CPX_AGENT_BROWSER, when set, is the command to
// use) and prints it, for when no browser opens.
func openBrowser(url string, stderr io.Writer) error {
	fmt.Fprintf(stderr, "Connexion Pro Santé Connect dans le navigateur. S'il ne s'ouvre pas, ouvrez cette adresse :\n%s\n", url)
	var cmd *exec.Cmd
	switch {
	case os.Getenv("CPX_AGENT_BROWSER") != "":
		cmd = exec.Command(os.Getenv("CPX_AGENT_BROWSER"), url)
	case runtime.GOOS == "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case runtime.GOOS == "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
