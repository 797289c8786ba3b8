package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
	"github.com/cpx-agent/cpx-agent/internal/testrig/chrome"
)

var demoPhysician = pki.DemoHolders()["cps"].NationalID

// pscLogin runs `cpx-agent login psc` against a portal using cpx-pscsim, answering the push
// on the simulated phone with answer (nil: no answer).
func pscLogin(t *testing.T, r *portaltest.PSCRig, answer func(string) error, extra ...string) (int, []map[string]json.RawMessage, string, pscsim.Push) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.PKI.Root.Cert.Raw}), 0o600))
	pushc := make(chan pscsim.Push, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, err := r.Sim.WaitPending(ctx, demoPhysician)
		if err == nil && answer != nil {
			err = answer(p.AuthReqID)
		}
		if err != nil {
			t.Error(err)
		}
		pushc <- p
	}()
	args := append([]string{"login", "psc", "--portal", r.URL, "--ca", ca, "--national-id", demoPhysician,
		"--workstation", "poste-psc", "--json"}, extra...)
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	var lines []map[string]json.RawMessage
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var m map[string]json.RawMessage
		must(t, json.Unmarshal(sc.Bytes(), &m))
		lines = append(lines, m)
	}
	return code, lines, errb.String(), <-pushc
}

// TestLoginPSC: approved on the phone → a psc session with profile and phone, on SQLite and
// PostgreSQL; the binding code the phone shows is the one printed.
func TestLoginPSC(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			r := portaltest.StartPSC(t, d, portaltest.PSCRigOptions{})
			code, lines, stderr, push := pscLogin(t, r, r.Sim.Approve, "--phone", "1002")
			if code != exitOK || len(lines) != 2 {
				t.Fatalf("exit %d, %d lines: %s", code, len(lines), stderr)
			}
			if want := "Vérifiez que le code " + push.BindingCode + " s'affiche sur votre téléphone et validez dans l'application e-CPS."; !strings.Contains(stderr, want) {
				t.Fatalf("stderr %q, want %q", stderr, want)
			}
			var s api.Session
			must(t, json.Unmarshal(lines[1]["session"], &s))
			if s.Method != api.MethodPSC || s.ACR != "eidas1" || s.AuthMode != "MOBILE" || s.Phone != "1002" || s.Profile == nil {
				t.Fatalf("session %+v", s)
			}
			if !strings.Contains(string(lines[0]["psc"]), `"binding_code":"`+push.BindingCode+`"`) {
				t.Fatalf("first line %s", lines[0]["psc"])
			}
		})
	}
}

// TestLoginPSCRefusals: denied → exit 6 psc_denied, expired → exit 7 psc_expired, nothing linked.
func TestLoginPSCRefusals(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{Sim: pscsim.Config{ExpiresIn: 2 * time.Second}})
	for _, c := range []struct {
		answer func(string) error
		exit   int
		code   string
	}{{r.Sim.Deny, exitPSCDenied, api.CodePSCDenied}, {nil, exitPSCExpired, api.CodePSCExpired}} {
		code, lines, stderr, _ := pscLogin(t, r, c.answer, "--phone", "1003")
		if code != c.exit || len(lines) != 2 || !strings.Contains(string(lines[1]["error"]), `"code":"`+c.code+`"`) {
			t.Fatalf("exit %d (want %d), %v: %s", code, c.exit, lines, stderr)
		}
		if !strings.Contains(stderr, portalMessages[c.code]) {
			t.Fatalf("stderr %q", stderr)
		}
	}
	var links int
	must(t, r.Store.DB().QueryRow("SELECT COUNT(*) FROM phone_links").Scan(&links))
	if links != 0 {
		t.Fatalf("%d phones linked after refusals", links)
	}
}

// TestLoginPSCBrowser: `login psc --browser` with a real headless Chromium on the simulator's
// login page; the session arrives through the loopback handoff.
func TestLoginPSCBrowser(t *testing.T) {
	r := portaltest.StartPSC(t, store.SQLite, portaltest.PSCRigOptions{})
	bctx := chrome.New(t, chromedp.IgnoreCertErrors)
	openURL = func(u string, w io.Writer) error {
		return chromedp.Do(bctx, chromedp.Navigate(u), chromedp.WaitVisible("#national_id"),
			chromedp.SetValue("#national_id", portaltest.StaffID), chromedp.Click("#se-connecter"))
	}
	t.Cleanup(func() { openURL = openBrowser })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.PKI.Root.Cert.Raw}), 0o600))
	var out, errb bytes.Buffer
	code := run([]string{"login", "psc", "--portal", r.URL, "--ca", ca, "--browser", "--json", "--phone", "1001"},
		strings.NewReader(""), &out, &errb)
	var got struct{ Session api.Session }
	if code != exitOK || json.Unmarshal(out.Bytes(), &got) != nil {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	if got.Session.Method != api.MethodPSC || got.Session.User.NationalID != portaltest.StaffID || got.Session.Phone != "1001" {
		t.Fatalf("session %+v", got.Session)
	}
}

func TestPrintPSCSession(t *testing.T) {
	var b bytes.Buffer
	printSession(&b, false, api.Session{Method: api.MethodPSC, ACR: "eidas2", AuthMode: "MOBILE",
		User: api.User{GivenName: "JEANNE", FamilyName: "DURAND"}, ExpiresAt: time.Now()})
	if !strings.Contains(b.String(), "Connexion : Pro Santé Connect, application e-CPS, niveau eidas2") {
		t.Fatalf("%q", b.String())
	}
}
