package pki

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"
)

func TestCRLListsRevokedAndVerifies(t *testing.T) {
	p := sharedPKI(t)
	h := DemoHolders()["cpe2"]
	revoked, err := p.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	kept := demo(t, "cpe")
	if err := p.Revoke(revoked.Cert.SerialNumber); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(revoked.Cert.SerialNumber); err != nil { // twice is harmless
		t.Fatal(err)
	}
	now := time.Now()
	der, err := p.CRL(now)
	if err != nil {
		t.Fatal(err)
	}
	crl := parseCRL(t, p, der)
	if !crlHas(crl.RevokedCertificateEntries, revoked.Cert.SerialNumber) {
		t.Errorf("revoked serial %x missing from CRL", revoked.Cert.SerialNumber)
	}
	if crlHas(crl.RevokedCertificateEntries, kept.Cert.SerialNumber) {
		t.Errorf("kept serial %x listed in CRL", kept.Cert.SerialNumber)
	}
	if !p.IsRevoked(revoked.Cert.SerialNumber) || p.IsRevoked(kept.Cert.SerialNumber) {
		t.Error("IsRevoked disagrees with Revoke")
	}
	if crl.NextUpdate.Sub(crl.ThisUpdate) != crlLifetime {
		t.Errorf("crl validity %v", crl.NextUpdate.Sub(crl.ThisUpdate))
	}
	der2, err := p.CRL(now)
	if err != nil {
		t.Fatal(err)
	}
	if crl2 := parseCRL(t, p, der2); crl2.Number.Cmp(crl.Number) <= 0 {
		t.Errorf("crl number did not grow: %v then %v", crl.Number, crl2.Number)
	}
}

func parseCRL(t *testing.T, p *PKI, der []byte) *x509.RevocationList {
	t.Helper()
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("parse crl: %v", err)
	}
	if err := crl.CheckSignatureFrom(p.Issuer.Cert); err != nil {
		t.Fatalf("crl signature: %v", err)
	}
	if err := crl.CheckSignatureFrom(p.Root.Cert); err == nil {
		t.Fatal("crl verifies against the root: it must be signed by the issuing CA")
	}
	return crl
}

func crlHas(entries []x509.RevocationListEntry, serial *big.Int) bool {
	for _, e := range entries {
		if e.SerialNumber.Cmp(serial) == 0 {
			return true
		}
	}
	return false
}
