package token

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"

	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// Checks shared by the SoftHSM2 and OpenSC tests.

func openToken(t *testing.T, opts Options) *Token {
	t.Helper()
	tok, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open(%+v): %v", opts, err)
	}
	t.Cleanup(func() { _ = tok.Close() })
	return tok
}

func login(t *testing.T, tok *Token, pin string) *Key {
	t.Helper()
	k, err := tok.Login([]byte(pin))
	if err != nil {
		t.Fatalf("Login(right pin): %v", err)
	}
	return k
}

// checkSignatures signs with every hash the key offers and verifies against the certificate.
func checkSignatures(t *testing.T, k *Key) {
	t.Helper()
	pub := k.Certificate().PublicKey.(*rsa.PublicKey)
	msg := make([]byte, 64)
	if _, err := rand.Read(msg); err != nil {
		t.Fatal(err)
	}
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		hh := h.New()
		hh.Write(msg)
		d := hh.Sum(nil)
		sig, err := k.Sign(rand.Reader, d, h)
		if err != nil {
			t.Fatalf("Sign(PKCS#1 v1.5, %v): %v", h, err)
		}
		if err := rsa.VerifyPKCS1v15(pub, h, d, sig); err != nil {
			t.Errorf("PKCS#1 v1.5 %v signature does not verify: %v", h, err)
		}
		pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		sig, err = k.Sign(rand.Reader, d, pss)
		switch {
		case !k.CanPSS():
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("Sign(PSS) on a key without PSS = %v, want ErrUnsupported", err)
			}
		case err != nil:
			t.Errorf("Sign(PSS, %v): %v", h, err)
		default:
			if err := rsa.VerifyPSS(pub, h, d, sig, pss); err != nil {
				t.Errorf("PSS %v signature does not verify: %v", h, err)
			}
		}
	}
	if _, err := k.Sign(rand.Reader, []byte("short"), crypto.SHA256); err == nil {
		t.Error("Sign accepted a digest of the wrong length")
	}
}

// recordingSigner notes the options crypto/tls signs with.
type recordingSigner struct {
	*Key
	mu   sync.Mutex
	opts []crypto.SignerOpts
}

func (r *recordingSigner) Sign(rnd io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	r.mu.Lock()
	r.opts = append(r.opts, o)
	r.mu.Unlock()
	return r.Key.Sign(rnd, d, o)
}

// checkTLS runs a client handshake with the card key against a loopback TLS server that
// requires a client certificate from the test PKI, and returns the version and whether the
// card signed with PSS.
func checkTLS(t *testing.T, k *Key, maxVersion uint16) (version uint16, usedPSS bool) {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := p.Issue(pki.DemoHolders()["cps"])
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{srvCert.TLSCertificate(p.Issuer.Cert)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.Pool(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan *x509.Certificate, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			peer <- nil
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		_ = tc.SetDeadline(time.Now().Add(20 * time.Second))
		if err := tc.Handshake(); err != nil || len(tc.ConnectionState().PeerCertificates) == 0 {
			t.Logf("server handshake: %v", err)
			peer <- nil
			return
		}
		peer <- tc.ConnectionState().PeerCertificates[0]
		_, _ = tc.Write([]byte("ok"))
	}()
	rec := &recordingSigner{Key: k}
	cfg := k.ClientTLSConfig(&tls.Config{RootCAs: p.Pool(), ServerName: srvCert.Cert.Subject.CommonName, MaxVersion: maxVersion}, p.Issuer.Cert)
	cfg.InsecureSkipVerify = true // the server's name is a national id, not a host name: chain checked below
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		c, err := x509.ParseCertificate(raw[0])
		if err != nil {
			return err
		}
		_, err = c.Verify(x509.VerifyOptions{Roots: p.Pool(), Intermediates: p.Intermediates(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		return err
	}
	cfg.Certificates[0].PrivateKey = rec
	conn, err := tls.Dial("tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatalf("TLS handshake with the card key (max %x): %v", maxVersion, err)
	}
	defer conn.Close()
	buf := make([]byte, 2)
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatalf("read after handshake: %v", err)
	}
	got := <-peer
	if got == nil || !got.Equal(k.Certificate()) {
		t.Fatalf("server saw client certificate %v, want the card's", got)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.opts) != 1 {
		t.Fatalf("card signed %d times in the handshake, want 1", len(rec.opts))
	}
	_, usedPSS = rec.opts[0].(*rsa.PSSOptions)
	return conn.ConnectionState().Version, usedPSS
}

// checkTLSBoth checks TLS 1.2 with rsa_pkcs1 (PSS disabled, as on a CPS3 key), and TLS 1.3
// when the key does PSS.
func checkTLSBoth(t *testing.T, k *Key) {
	t.Helper()
	pss := k.pss
	k.pss = false // a CPS3 key: no PSS → TLS 1.2, rsa_pkcs1
	v, usedPSS := checkTLS(t, k, 0)
	k.pss = pss
	if v != tls.VersionTLS12 || usedPSS {
		t.Errorf("without PSS: TLS %x, PSS used %v; want TLS 1.2 with rsa_pkcs1", v, usedPSS)
	}
	if !pss {
		t.Logf("token has no CKM_RSA_PKCS_PSS: TLS 1.3 not possible")
		return
	}
	v, usedPSS = checkTLS(t, k, 0)
	if v != tls.VersionTLS13 || !usedPSS {
		t.Errorf("with PSS: TLS %x, PSS used %v; want TLS 1.3 with rsa_pss", v, usedPSS)
	}
	v, usedPSS = checkTLS(t, k, tls.VersionTLS12)
	if v != tls.VersionTLS12 {
		t.Errorf("max TLS 1.2: got %x", v)
	}
	t.Logf("TLS 1.2 with a PSS-capable key signed with PSS: %v", usedPSS)
}
