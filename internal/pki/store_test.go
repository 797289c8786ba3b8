package pki

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{RootKeyFile, IssuerKeyFile} {
		assertMode(t, filepath.Join(dir, f), 0o600)
	}
	q, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Root.Cert.Equal(p.Root.Cert) || !q.Issuer.Cert.Equal(p.Issuer.Cert) {
		t.Fatal("certificates differ after load")
	}
	// The loaded issuer key must still sign holders that verify under the original root.
	is, err := q.Issue(DemoHolders()["adeli"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.Cert.Verify(p.VerifyOptions(time.Now())); err != nil {
		t.Errorf("holder issued by loaded pki: %v", err)
	}
	if err := is.Save(dir, "adeli"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(dir, "adeli.key.pem"), 0o600)
	back, err := LoadIssued(dir, "adeli")
	if err != nil {
		t.Fatal(err)
	}
	if !back.Cert.Equal(is.Cert) || !back.Key.Equal(is.Key) {
		t.Error("holder differs after load")
	}
	h := back.Holder
	if h.Family != "CPS" || h.NationalID != "0999700016" || h.Surname != "LEROY" || h.Organization != Org {
		t.Errorf("holder rebuilt as %+v", h)
	}
}

func TestSaveLoadKeepsRevocations(t *testing.T) {
	p := sharedPKI(t)
	is, err := p.Issue(DemoHolders()["cps"])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(is.Cert.SerialNumber); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	q, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !q.IsRevoked(is.Cert.SerialNumber) {
		t.Error("revocation lost by Save/Load")
	}
	der, err := q.CRL(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if crl := parseCRL(t, p, der); !crlHas(crl.RevokedCertificateEntries, is.Cert.SerialNumber) {
		t.Error("crl of loaded pki misses the revoked serial")
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	p := sharedPKI(t)
	other, err := Shared()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIssued(dir, "../x"); !errors.Is(err, ErrPKI) {
		t.Errorf("LoadIssued with a path: %v", err)
	}
	// A key that does not match its certificate.
	swap, _ := os.ReadFile(filepath.Join(dir, RootKeyFile))
	if err := os.WriteFile(filepath.Join(dir, IssuerKeyFile), swap, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); !errors.Is(err, ErrPKI) {
		t.Errorf("Load with mismatched issuer key: %v", err)
	}
	if err := other.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, RevokedFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); !errors.Is(err, ErrPKI) {
		t.Errorf("Load with broken revoked.json: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load of an empty dir succeeded")
	}
}

// TestOpenSSLAgrees checks the saved files with the openssl command line tool.
func TestOpenSSLAgrees(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is missing: apt-get install openssl")
	}
	p := sharedPKI(t)
	good := demo(t, "cpe")
	bad, err := p.Issue(DemoHolders()["cps"])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(bad.Cert.SerialNumber); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	for name, is := range map[string]*Issued{"good": good, "bad": bad} {
		if err := is.Save(dir, name); err != nil {
			t.Fatal(err)
		}
	}
	in := func(f string) string { return filepath.Join(dir, f) }
	text := openssl(t, true, "x509", "-noout", "-text", "-nameopt", "RFC2253,-esc_msb", "-in", in("good.crt.pem"))
	subject := field(text, "Subject: ")
	first, tail, _ := strings.Cut(subject, ",")
	parts := strings.Split(first, "+")
	slices.Sort(parts)
	if got := strings.Join(parts, "+"); got != "CN=3990000010/000000018+GN=CAMILLE+SN=MARTIN" {
		t.Errorf("openssl subject's first RDN %q (subject %q)", first, subject)
	}
	if tail != "title=Carte de service santé ou social,O=SAMU 99 TEST,C=FR" {
		t.Errorf("openssl subject %q", subject)
	}
	for _, want := range []string{
		"Issuer: CN=" + IssuerCN + ",OU=IGC-SANTE TEST,O=" + Org + ",C=FR",
		"TLS Web Client Authentication", "Digital Signature", "2048 bit",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl x509 -text lacks %q:\n%s", want, text)
		}
	}
	chain := []string{"verify", "-CAfile", in(RootFile), "-untrusted", in(IssuerFile)}
	if out := openssl(t, true, append(chain, in("good.crt.pem"))...); !strings.Contains(out, "OK") {
		t.Errorf("openssl verify: %s", out)
	}
	crlCheck := append(chain, "-crl_check", "-CRLfile", in(CRLFile))
	openssl(t, true, append(crlCheck, in("good.crt.pem"))...)
	if out := openssl(t, false, append(crlCheck, in("bad.crt.pem"))...); !strings.Contains(out, "revoked") {
		t.Errorf("openssl verify of a revoked holder: %s", out)
	}
	crl := openssl(t, true, "crl", "-noout", "-text", "-in", in(CRLFile), "-CAfile", in(ChainFile))
	if !strings.Contains(strings.ToUpper(crl), strings.ToUpper(bad.Cert.SerialNumber.Text(16))) {
		t.Errorf("openssl crl -text lacks serial %x:\n%s", bad.Cert.SerialNumber, crl)
	}
	if !strings.Contains(crl, "verify OK") {
		t.Errorf("openssl crl signature check:\n%s", crl)
	}
}

// field gives the rest of the first line of text that contains prefix.
func field(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if _, v, ok := strings.Cut(line, prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// openssl runs the tool and fails the test unless it exits as expected (ok or not).
func openssl(t *testing.T, ok bool, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("openssl", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if (err == nil) != ok {
		t.Fatalf("openssl %s: err=%v, want success=%v:\n%s", strings.Join(args, " "), err, ok, out.String())
	}
	return out.String()
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Errorf("%s mode %v, want %v", filepath.Base(path), st.Mode().Perm(), want)
	}
}
