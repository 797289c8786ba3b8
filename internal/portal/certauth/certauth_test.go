package certauth

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func writePEM(t *testing.T, path, typ string, ders ...[]byte) {
	t.Helper()
	var b []byte
	for _, d := range ders {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func setup(t *testing.T) (*pki.PKI, *Verifier, string) {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca, crl := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "crl.pem")
	writePEM(t, ca, "CERTIFICATE", p.Issuer.Cert.Raw, p.Root.Cert.Raw)
	der, err := p.CRL(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, crl, "X509 CRL", der)
	v, err := New(ca, crl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, v, crl
}

func code(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}

// TestCRLReloadedWhenFileChanges: a certificate revoked after start-up is refused once the CRL
// file is rewritten; a CRL from a foreign CA is refused and the previous one stays.
func TestCRLReloadedWhenFileChanges(t *testing.T) {
	p, v, crlPath := setup(t)
	now := time.Now()
	v.SetClock(func() time.Time { return now })
	is, err := p.Issue(pki.Holder{NationalID: "899700000013", Surname: "RELOAD", GivenName: "CRL"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify([]*x509.Certificate{is.Cert}); err != nil {
		t.Fatalf("fresh certificate: %v", err)
	}
	if err := p.Revoke(is.Cert.SerialNumber); err != nil {
		t.Fatal(err)
	}
	der, _ := p.CRL(time.Now())
	writePEM(t, crlPath, "X509 CRL", der)
	now = now.Add(2 * time.Second)
	if _, err := v.Verify([]*x509.Certificate{is.Cert}); code(err) != api.CodeCertRevoked {
		t.Fatalf("after the CRL changed: %v", err)
	}
	other, err := pki.NewNamed("AC RACINE CRL TEST", "AC CRL TEST PERSONNES")
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := other.CRL(time.Now())
	writePEM(t, crlPath, "X509 CRL", foreign)
	now = now.Add(2 * time.Second)
	if _, err := v.Verify([]*x509.Certificate{is.Cert}); code(err) != api.CodeCertRevoked {
		t.Fatalf("a foreign CRL replaced the good one: %v", err)
	}
	if _, err := New(filepath.Join(filepath.Dir(crlPath), "ca.pem"), crlPath, nil); err == nil {
		t.Fatal("New accepted a CRL signed by an unknown CA")
	}
}

func TestBadBundles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("nothing here"), 0o600)
	if _, err := New(empty, "", nil); err == nil {
		t.Error("empty bundle accepted")
	}
	p, _ := pki.Shared()
	is, err := p.Issue(pki.Holder{NationalID: "899700000021", Surname: "LEAF", GivenName: "NOT CA"})
	if err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Join(dir, "leaf.pem")
	writePEM(t, leaf, "CERTIFICATE", is.Cert.Raw)
	if _, err := New(leaf, "", nil); err == nil {
		t.Error("a bundle holding an end-entity certificate accepted")
	}
	if _, err := New(filepath.Join(dir, "missing.pem"), "", nil); err == nil {
		t.Error("missing bundle accepted")
	}
}

func TestNoCertificate(t *testing.T) {
	_, v, _ := setup(t)
	if _, err := v.Verify(nil); code(err) != api.CodeUnauthenticated {
		t.Fatalf("no certificate: %v", err)
	}
}
