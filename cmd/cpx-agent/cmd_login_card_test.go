//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// cliCardPort is this file's vpcd port (testrig.StartCard locks it; shared under the lock).
const cliCardPort = 35972

// runHelper runs cpx-agent args in a child process (TestCardWatchHelperProcess) with OpenSC
// limited to the test's reader, and returns stdout, stderr and the exit code.
func runHelper(t *testing.T, conf, stdin string, args ...string) (string, string, int) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCardWatchHelperProcess$")
	cmd.Env = append(os.Environ(), "CPX_AGENT_HELPER="+string(raw), "OPENSC_CONF="+conf,
		"CPX_AGENT_PORTAL_URL=", "CPX_AGENT_PORTAL_CA=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run %v: %v", args, err)
	return "", "", -1
}

type jsonErr struct {
	Error *struct {
		Code      string
		Message   string
		Holder    string
		TriesLeft *int `json:"tries_left"`
	}
	Session json.RawMessage
}

func decodeErr(t *testing.T, out string) jsonErr {
	t.Helper()
	var e jsonErr
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Error == nil || e.Session != nil {
		t.Fatalf("stdout %q: want one {\"error\": …} line (%v)", out, err)
	}
	return e
}

// Real stack (vpcd card, pcscd, OpenSC, TLS portal): wrong PIN wording and exit code shared by
// card info and login card (S2-12, S2-11), tries refreshed after a right PIN (S2-15), unknown
// reader named (S2-18), a failed login card leaves no session (S1-6, S1-7).
func TestCardCommandsErrors(t *testing.T) {
	c := testrig.StartCard(t, cliCardPort, "cpe")
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	mod := testrig.OpenSCModule(t)
	info := []string{"card", "info", "--reader", c.Reader, "--module", mod, "--json", "--pin-stdin"}

	out, errOut, code := runHelper(t, conf, "9876\n", info...)
	e := decodeErr(t, out)
	want := "Code PIN incorrect. Il vous reste 2 essais."
	if code != exitRefused || e.Error.Code != codePINIncorrect || e.Error.TriesLeft == nil || *e.Error.TriesLeft != 2 ||
		e.Error.Message != want || !strings.Contains(errOut, want) || strings.Contains(out+errOut, "9876") {
		t.Fatalf("card info wrong PIN: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runHelper(t, conf, vcard.DefaultPIN+"\n", info...)
	var rep struct {
		Tries     struct{ Low, Final bool }
		Signature string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Signature != "verified" || rep.Tries.Low || rep.Tries.Final {
		t.Fatalf("card info right PIN after a wrong one: exit %d, %+v (%v), stderr %q", code, rep, err, errOut)
	}
	out, errOut, code = runHelper(t, conf, "", "card", "info", "--reader", "Nope", "--module", mod)
	if code != exitError || !strings.Contains(errOut, "Lecteur « Nope » introuvable. Lecteurs présents : ") ||
		!strings.Contains(errOut, c.Reader) {
		t.Fatalf("unknown reader: exit %d, stderr %q", code, errOut)
	}

	pt := portaltest.Start(t, store.SQLite)
	pt.Enroll(t, c.Holder.Holder)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pt.PKI.Root.Cert.Raw}), 0o600))
	login := []string{"login", "card", "--portal", pt.URL, "--ca", ca, "--reader", c.Reader, "--module", mod,
		"--pin-stdin", "--json", "--phone"}
	out, errOut, code = runHelper(t, conf, "9876\n", append(login, "1001")...)
	if e := decodeErr(t, out); code != exitRefused || e.Error.Message != want || !strings.Contains(errOut, want) {
		t.Fatalf("login card wrong PIN: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runHelper(t, conf, vcard.DefaultPIN+"\n", append(login, "9999")...)
	if e := decodeErr(t, out); code != exitError || e.Error.Code != "phone_unknown" {
		t.Fatalf("login card unknown phone: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	open, err := pt.Store.Sessions(context.Background(), true, 10)
	if err != nil || len(open) != 0 {
		t.Fatalf("sessions left open after the failed login card: %d (%v)", len(open), err)
	}
}
