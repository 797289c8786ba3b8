package token

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// Token tests on SoftHSM2 with Cryptolib CPS object labels. SoftHSM never locks a PIN: the
// lock tests run on OpenSC with the virtual card only.

func cryptolibToken(t *testing.T, holder string) (*Token, *pki.Issued) {
	t.Helper()
	is := issue(t, holder)
	mod, label := newSoftHSMToken(t, shObject{id: "01", keyLabel: CryptolibAuthKeyLabel, certLabel: CryptolibAuthCertLabel, issued: is})
	return openToken(t, Options{Modules: []string{"/nonexistent/cps3.so", mod}, Label: label}), is
}

func TestSoftHSMCryptolibLabelsInfoCertificateWithoutPIN(t *testing.T) {
	tok, is := cryptolibToken(t, "cpe")
	info := tok.Info()
	if info.Model != "SoftHSM v2" || info.Module != softhsmModule(t) || info.Serial == "" || info.Label == "" {
		t.Errorf("Info() = %+v", info)
	}
	c, err := tok.Certificate()
	if err != nil {
		t.Fatalf("Certificate() without PIN: %v", err)
	}
	if !c.Equal(is.Cert) {
		t.Errorf("Certificate() = %s, want the imported one", c.Subject)
	}
	tries, err := tok.TriesLeft()
	if err != nil || tries.Known || tries.Count() != -1 || tries.Estimate(3) != 3 {
		t.Errorf("TriesLeft() = %+v, %v; want no flag (count unknown, estimate 3)", tries, err)
	}
}

func TestSoftHSMLoginSignVerifyAndIdentity(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	k := login(t, tok, shPIN)
	checkSignatures(t, k)
	id, err := k.Identity()
	if err != nil || id.DisplayName() != "Camille MARTIN" {
		t.Errorf("Identity() = %q, %v", id.DisplayName(), err)
	}
}

func TestSoftHSMTLS(t *testing.T) {
	tok, _ := cryptolibToken(t, "cps")
	checkTLSBoth(t, login(t, tok, shPIN))
}

func TestSoftHSMWrongPINIsTypedAndNotRetried(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	_, err := tok.Login([]byte("9999"))
	var pe *PINError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("Login(wrong) = %v, want *PINError", err)
	}
	if errors.Is(err, ErrPINLocked) {
		t.Errorf("SoftHSM never locks, yet %v is ErrPINLocked", err)
	}
	// Right PIN after a wrong one (SoftHSM has no counter): works.
	checkSignatures(t, login(t, tok, shPIN))
}

func TestSoftHSMPINFormatRejectedBeforeTheCard(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	for _, pin := range []string{"", "123", "12345", "12a4", "１２３４"} {
		if _, err := tok.Login([]byte(pin)); !errors.Is(err, ErrPINFormat) {
			t.Errorf("Login(%q) = %v, want ErrPINFormat", pin, err)
		}
	}
	if err := tok.ChangePIN([]byte(shPIN), []byte("12")); !errors.Is(err, ErrPINFormat) {
		t.Errorf("ChangePIN(new too short) = %v", err)
	}
	if err := tok.Unblock([]byte("1234"), []byte("1234")); !errors.Is(err, ErrPUKFormat) {
		t.Errorf("Unblock(short PUK) = %v", err)
	}
}

func TestSoftHSMChangePIN(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	if err := tok.ChangePIN([]byte("0000"), []byte("5678")); !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("ChangePIN(wrong old) = %v, want ErrPINIncorrect", err)
	}
	if err := tok.ChangePIN([]byte(shPIN), []byte("5678")); err != nil {
		t.Fatalf("ChangePIN: %v", err)
	}
	if _, err := tok.Login([]byte(shPIN)); !errors.Is(err, ErrPINIncorrect) {
		t.Errorf("old PIN after change: %v", err)
	}
	checkSignatures(t, login(t, tok, "5678"))
}

func TestSoftHSMUnblockWithSOPIN(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	if err := tok.Unblock([]byte("87654321"), []byte("4321")); !errors.Is(err, ErrPUKIncorrect) {
		t.Fatalf("Unblock(wrong PUK) = %v, want ErrPUKIncorrect", err)
	}
	if err := tok.Unblock([]byte(shSO), []byte("4321")); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	checkSignatures(t, login(t, tok, "4321"))
}

func TestSoftHSMKeyClosedAndReLogin(t *testing.T) {
	tok, _ := cryptolibToken(t, "cpe")
	k1 := login(t, tok, shPIN)
	k2 := login(t, tok, shPIN) // a second Login really verifies again and replaces k1
	if _, err := k1.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); err == nil {
		t.Error("a Key of a replaced login still signs")
	}
	checkSignatures(t, k2)
	if err := k2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); err == nil {
		t.Error("a closed Key still signs")
	}
	if err := tok.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Login([]byte(shPIN)); !errors.Is(err, ErrClosed) {
		t.Errorf("Login on a closed Token = %v", err)
	}
}

// Without Cryptolib labels: the certificate is chosen by KeyUsage/EKU among others (a CA
// certificate and a non-repudiation one) and its key by CKA_ID.
func TestSoftHSMDiscoveryByKeyUsageAndID(t *testing.T) {
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	auth, sig := issue(t, "cpe"), issue(t, "cpe")
	sigOnly := reissue(t, p, sig, x509.KeyUsageContentCommitment, nil)
	mod, label := newSoftHSMToken(t,
		shObject{id: "0a", certLabel: "CA", cert: p.Issuer.Cert},
		shObject{id: "02", keyLabel: "sig key", certLabel: "signature", issued: &pki.Issued{Cert: sigOnly, Key: sig.Key}},
		shObject{id: "01", keyLabel: "auth key", certLabel: "authentication", issued: auth},
	)
	tok := openToken(t, Options{Modules: []string{mod}, Label: label})
	c, err := tok.Certificate()
	if err != nil || !c.Equal(auth.Cert) {
		t.Fatalf("Certificate() = %v, %v; want the clientAuth one", c, err)
	}
	checkSignatures(t, login(t, tok, shPIN))
}

func TestSoftHSMNoTokenAndMissingModule(t *testing.T) {
	mod := softhsmModule(t)
	if _, err := Open(t.Context(), Options{Modules: []string{mod}, Label: "no such token"}); !errors.Is(err, ErrNoToken) {
		t.Errorf("Open(unknown label) = %v, want ErrNoToken", err)
	}
	if _, err := Open(t.Context(), Options{Modules: []string{"/nonexistent/a.so", "/etc/hostname"}}); !errors.Is(err, ErrModuleMissing) {
		t.Errorf("Open(no loadable module) = %v, want ErrModuleMissing", err)
	}
	mod2, label := newSoftHSMToken(t) // a token without any object
	tok := openToken(t, Options{Modules: []string{mod2}, Label: label})
	if _, err := tok.Certificate(); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Certificate() on an empty token = %v, want ErrKeyNotFound", err)
	}
	if _, err := tok.Login([]byte(shPIN)); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Login on an empty token = %v, want ErrKeyNotFound", err)
	}
}

// reissue signs a copy of is's certificate with another key usage and EKU.
func reissue(t *testing.T, p *pki.PKI, is *pki.Issued, ku x509.KeyUsage, eku []x509.ExtKeyUsage) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), RawSubject: is.Cert.RawSubject,
		NotBefore: is.Cert.NotBefore, NotAfter: is.Cert.NotAfter, KeyUsage: ku, ExtKeyUsage: eku,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Issuer.Cert, &is.Key.PublicKey, p.Issuer.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// One card, one session: concurrent signers are serialised, every signature verifies.
func TestSoftHSMConcurrentSigning(t *testing.T) {
	tok, is := cryptolibToken(t, "cpe")
	k := login(t, tok, shPIN)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 5 {
				d := sha256.Sum256([]byte{byte(g), byte(i)})
				sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
				if err == nil {
					err = rsa.VerifyPKCS1v15(&is.Key.PublicKey, crypto.SHA256, d[:], sig)
				}
				if err != nil {
					errs <- err
					return
				}
				if _, err := tok.TriesLeft(); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
