package pki

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

func TestCreateDemoRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	d, err := CreateDemo(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 15 {
		t.Errorf("%d files listed: %v", len(d.Files), d.Files)
	}
	for _, f := range d.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("listed file not written: %v", err)
		}
	}
	if _, err := CreateDemo(dir, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second CreateDemo: %v, want ErrExists", err)
	}
	loaded, err := OpenOrCreateDemo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.PKI.Root.Cert.Equal(d.PKI.Root.Cert) {
		t.Fatal("OpenOrCreateDemo made a new PKI instead of loading")
	}
	for key, is := range loaded.Holders {
		if !is.Cert.Equal(d.Holders[key].Cert) {
			t.Errorf("%s differs after load", key)
		}
		if _, err := is.Cert.Verify(loaded.PKI.VerifyOptions(time.Now())); err != nil {
			t.Errorf("%s: %v", key, err)
		}
		id, err := cps.FromCertificate(is.Cert)
		if err != nil || id.Family != DemoHolders()[key].Family {
			t.Errorf("%s: identity %+v, %v", key, id, err)
		}
	}
	forced, err := CreateDemo(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if forced.PKI.Root.Cert.Equal(d.PKI.Root.Cert) {
		t.Error("--force kept the old root")
	}
	again, err := LoadDemo(dir)
	if err != nil || !again.Holders["cpe"].Cert.Equal(forced.Holders["cpe"].Cert) {
		t.Errorf("load after force: %v", err)
	}
}

func TestSubjectString(t *testing.T) {
	h := Holder{NationalID: "810002813839", Surname: "DONNAT-GADY", GivenName: "ISABELLE", Title: "Médecin"}
	const want = "CN=810002813839+SN=DONNAT-GADY+GN=ISABELLE, title=Médecin, O=" + Org + ", C=FR"
	if got := h.SubjectString(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
