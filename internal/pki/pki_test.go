package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

func sharedPKI(t testing.TB) *PKI {
	t.Helper()
	p, err := Shared()
	if err != nil {
		t.Fatalf("shared pki: %v", err)
	}
	return p
}

func demo(t testing.TB, key string) *Issued {
	t.Helper()
	is, err := SharedDemo(key)
	if err != nil {
		t.Fatalf("demo holder %s: %v", key, err)
	}
	return is
}

func TestDemoHoldersVerifyAndParse(t *testing.T) {
	p := sharedPKI(t)
	want := map[string]cps.Identity{
		"cps":   {Family: cps.FamilyCPS, RPPS: "99700000005", Surname: "DURAND", GivenName: "JEANNE", Title: "Médecin"},
		"adeli": {Family: cps.FamilyCPS, ADELI: "999700016", Surname: "LEROY", GivenName: "SOPHIE", Title: "Infirmier"},
		"cpe":   {Family: cps.FamilyCPE, FINESS: DemoFINESS, StaffID: "000000018", Surname: "MARTIN", GivenName: "CAMILLE", Title: "Carte de service santé ou social"},
		"cpe2":  {Family: cps.FamilyCPE, FINESS: DemoFINESS, StaffID: "000000026", Surname: "BERNARD", GivenName: "JULIEN", Title: "Carte de service santé ou social"},
	}
	if len(DemoHolders()) != len(want) {
		t.Fatalf("DemoHolders has %d entries, want %d", len(DemoHolders()), len(want))
	}
	for key, w := range want {
		is := demo(t, key)
		chains, err := is.Cert.Verify(p.VerifyOptions(time.Now()))
		if err != nil {
			t.Fatalf("%s: verify: %v", key, err)
		}
		if n := len(chains[0]); n != 3 {
			t.Errorf("%s: chain length %d, want 3", key, n)
		}
		id, err := cps.FromCertificate(is.Cert)
		if err != nil {
			t.Fatalf("%s: FromCertificate: %v", key, err)
		}
		if id.Family != w.Family || id.RPPS != w.RPPS || id.ADELI != w.ADELI || id.FINESS != w.FINESS ||
			id.StaffID != w.StaffID || id.Surname != w.Surname || id.GivenName != w.GivenName || id.Title != w.Title {
			t.Errorf("%s: identity %+v, want %+v", key, id, w)
		}
		if id.NationalID != is.Holder.NationalID || id.SerialHex != is.Cert.SerialNumber.Text(16) {
			t.Errorf("%s: national id %q serial %q", key, id.NationalID, id.SerialHex)
		}
		if is.Cert.KeyUsage != x509.KeyUsageDigitalSignature {
			t.Errorf("%s: key usage %v", key, is.Cert.KeyUsage)
		}
		if is.Key.N.BitLen() != 2048 {
			t.Errorf("%s: key size %d", key, is.Key.N.BitLen())
		}
	}
}

func TestSubjectHasMultiValuedRDN(t *testing.T) {
	is := demo(t, "cpe")
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(is.Cert.RawSubject, &rdn); err != nil {
		t.Fatal(err)
	}
	last := rdn[len(rdn)-1]
	if len(last) != 3 {
		t.Fatalf("last RDN has %d values, want CN+SN+GN: %v", len(last), rdn)
	}
	vals := map[string]any{}
	for _, atv := range last {
		vals[atv.Type.String()] = atv.Value
	}
	if vals["2.5.4.3"] != "3990000010/000000018" || vals["2.5.4.4"] != "MARTIN" || vals["2.5.4.42"] != "CAMILLE" {
		t.Errorf("multi-valued RDN %v", vals)
	}
	var rest []string
	for _, set := range rdn[:len(rdn)-1] {
		for _, atv := range set {
			rest = append(rest, fmt.Sprintf("%s=%v", atv.Type, atv.Value))
		}
	}
	got := strings.Join(rest, ",")
	const want = "2.5.4.6=FR,2.5.4.10=SAMU 99 TEST,2.5.4.12=Carte de service santé ou social"
	if got != want {
		t.Errorf("subject head\n got %s\nwant %s", got, want)
	}
}

func TestExpiredHolderRefused(t *testing.T) {
	p := sharedPKI(t)
	h := DemoHolders()["cps"]
	h.NotBefore = time.Now().Add(-48 * time.Hour)
	h.NotAfter = time.Now().Add(-24 * time.Hour)
	is, err := p.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	_, err = is.Cert.Verify(p.VerifyOptions(time.Now()))
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired {
		t.Fatalf("verify expired holder: %v, want x509.Expired", err)
	}
	if _, err := is.Cert.Verify(p.VerifyOptions(time.Now().Add(-36 * time.Hour))); err != nil {
		t.Errorf("verify inside its validity: %v", err)
	}
}

func TestUnrelatedCARefused(t *testing.T) {
	p := sharedPKI(t)
	other, err := NewNamed("AC RACINE AUTRE TEST", "AC AUTRE TEST PERSONNES")
	if err != nil {
		t.Fatal(err)
	}
	is, err := other.Issue(DemoHolders()["cps"])
	if err != nil {
		t.Fatal(err)
	}
	opts := p.VerifyOptions(time.Now())
	opts.Intermediates.AddCert(other.Issuer.Cert) // even when the foreign issuer is presented
	_, err = is.Cert.Verify(opts)
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("verify foreign holder: %v, want UnknownAuthorityError", err)
	}
	if _, err := is.Cert.Verify(other.VerifyOptions(time.Now())); err != nil {
		t.Errorf("foreign holder under its own PKI: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	p := sharedPKI(t)
	if _, err := SharedDemo("nobody"); !errors.Is(err, ErrPKI) {
		t.Errorf("SharedDemo unknown key: %v", err)
	}
	if a, b := demo(t, "cps"), demo(t, "cps"); a != b {
		t.Error("SharedDemo issued twice")
	}
	for _, names := range [][2]string{{"X TEST", "X TEST"}, {"AC RACINE IGC-SANTE FORT", "AC TEST"}, {"", "AC TEST"}} {
		if _, err := NewNamed(names[0], names[1]); !errors.Is(err, ErrPKI) {
			t.Errorf("NewNamed(%q, %q): %v", names[0], names[1], err)
		}
	}
	if _, err := p.Issue(Holder{}); !errors.Is(err, ErrPKI) {
		t.Errorf("Issue empty holder: %v", err)
	}
	now := time.Now()
	if _, err := p.Issue(Holder{NationalID: "899700000005", NotBefore: now, NotAfter: now.Add(-time.Hour)}); !errors.Is(err, ErrPKI) {
		t.Errorf("Issue inverted dates: %v", err)
	}
	if err := p.Revoke(nil); !errors.Is(err, ErrPKI) {
		t.Errorf("Revoke nil: %v", err)
	}
}
