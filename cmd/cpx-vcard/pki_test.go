package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/pki"
)

func TestRunPKI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	var out, errb bytes.Buffer
	if rc := runPKI([]string{"--out", dir}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d, stderr %s", rc, errb.String())
	}
	for _, want := range []string{
		filepath.Join(dir, "root.pem"), filepath.Join(dir, "cpe.key.pem"),
		"CN=3990000010/000000018+SN=MARTIN+GN=CAMILLE, title=Carte de service santé ou social",
		pki.RootCN, pki.IssuerCN,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	d, err := pki.LoadDemo(dir)
	if err != nil {
		t.Fatal(err)
	}
	id, err := cps.FromCertificate(d.Holders["cps"].Cert)
	if err != nil || id.Family != cps.FamilyCPS || id.RPPS == "" {
		t.Errorf("cps holder identity %+v, %v", id, err)
	}

	out.Reset()
	errb.Reset()
	if rc := runPKI([]string{"--out", dir}, &out, &errb); rc != 1 || !strings.Contains(errb.String(), "--force") {
		t.Fatalf("second run: rc %d, stderr %q", rc, errb.String())
	}
	again, err := pki.LoadDemo(dir)
	if err != nil || !again.PKI.Root.Cert.Equal(d.PKI.Root.Cert) {
		t.Fatalf("refused run changed the PKI: %v", err)
	}
	if rc := runPKI([]string{"--out", dir, "--force"}, &out, &errb); rc != 0 {
		t.Fatalf("--force: rc %d, stderr %s", rc, errb.String())
	}
	forced, err := pki.LoadDemo(dir)
	if err != nil || forced.PKI.Root.Cert.Equal(d.PKI.Root.Cert) {
		t.Fatalf("--force did not replace the PKI: %v", err)
	}
}

func TestRunPKIUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"--out"}, {"--out", "x", "extra"}, {"--bogus"}} {
		var out, errb bytes.Buffer
		if rc := runPKI(args, &out, &errb); rc != 2 || !strings.Contains(errb.String(), "usage") {
			t.Errorf("%q: rc %d, stderr %q", args, rc, errb.String())
		}
	}
}
