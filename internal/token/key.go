package token

import (
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"

	"github.com/miekg/pkcs11"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

// Key is the card's authentication key after a PIN login: a crypto.Signer (RSA) whose
// operations go through the token's single session.
type Key struct {
	t    *Token
	gen  uint64
	h    pkcs11.ObjectHandle
	cert *x509.Certificate
	pub  *rsa.PublicKey
	pss  bool // the token lists CKM_RSA_PKCS_PSS
}

// keyLocked finds the authentication certificate and its private key after a login.
func (t *Token) keyLocked() (*Key, error) {
	c, err := t.authCertLocked()
	if err != nil {
		return nil, err
	}
	h, err := t.privateKeyLocked(c)
	if err != nil {
		return nil, err
	}
	mechs, err := t.mod.ctx.GetMechanismList(t.slot)
	if err != nil {
		return nil, t.failLocked("C_GetMechanismList", err)
	}
	pss := false
	for _, m := range mechs {
		pss = pss || m.Mechanism == pkcs11.CKM_RSA_PKCS_PSS
	}
	return &Key{t: t, gen: t.gen, h: h, cert: c.cert, pub: c.cert.PublicKey.(*rsa.PublicKey), pss: pss}, nil
}

// Public returns the certificate's RSA public key.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Certificate is the authentication certificate.
func (k *Key) Certificate() *x509.Certificate { return k.cert }

// CanPSS says whether the token signs RSA-PSS (CPS4 yes, CPS3 no).
func (k *Key) CanPSS() bool { return k.pss }

// Sign signs digest: RSA-PSS when opts is *rsa.PSSOptions (ErrUnsupported if the token has
// no CKM_RSA_PKCS_PSS, so TLS 1.2 falls back to rsa_pkcs1), PKCS#1 v1.5 otherwise. rand is
// unused: the card makes its own randomness.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h := opts.HashFunc()
	var mech *pkcs11.Mechanism
	data := digest
	if p, ok := opts.(*rsa.PSSOptions); ok {
		m, err := k.pssMechanism(h, p, len(digest))
		if err != nil {
			return nil, err
		}
		mech = m
	} else {
		di, err := DigestInfo(h, digest)
		if err != nil {
			return nil, err
		}
		mech, data = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), di
	}
	t := k.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := k.aliveLocked(); err != nil {
		return nil, err
	}
	if err := t.mod.ctx.SignInit(t.sess, []*pkcs11.Mechanism{mech}, k.h); err != nil {
		return nil, t.failLocked("C_SignInit", err)
	}
	sig, err := t.mod.ctx.Sign(t.sess, data)
	if err != nil {
		return nil, t.failLocked("C_Sign", err)
	}
	return sig, nil
}

// aliveLocked fails when the login this Key came from is over.
func (k *Key) aliveLocked() error {
	t := k.t
	switch {
	case t.closed:
		return ErrClosed
	case k.gen != t.gen || !t.hasSess:
		return fmt.Errorf("sign: %w (the session of this login is gone; log in again)", ErrTokenRemoved)
	case !t.logged:
		return ErrNotLoggedIn
	}
	return nil
}

// pssMechanism builds CKM_RSA_PKCS_PSS for hash h (MGF1 with the same hash).
func (k *Key) pssMechanism(h crypto.Hash, p *rsa.PSSOptions, n int) (*pkcs11.Mechanism, error) {
	if !k.pss {
		return nil, fmt.Errorf("%w: rsa-pss (this card signs pkcs#1 v1.5 only)", ErrUnsupported)
	}
	if h := p.Hash; h != 0 && h.Size() != n {
		return nil, fmt.Errorf("token: %v digest is %d bytes", h, n)
	}
	ids := map[crypto.Hash][2]uint{
		crypto.SHA1:   {pkcs11.CKM_SHA_1, pkcs11.CKG_MGF1_SHA1},
		crypto.SHA224: {pkcs11.CKM_SHA224, pkcs11.CKG_MGF1_SHA224},
		crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
		crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
		crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
	}
	id, ok := ids[h]
	if !ok {
		return nil, fmt.Errorf("%w: rsa-pss with hash %v", ErrUnsupported, h)
	}
	salt := p.SaltLength
	if salt <= 0 { // PSSSaltLengthEqualsHash, or Auto: the hash size (what TLS 1.3 wants)
		salt = h.Size()
	}
	return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(id[0], id[1], uint(salt))), nil
}

// Close logs out; the Key stops working. The Token stays open.
func (k *Key) Close() error {
	t := k.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if k.gen == t.gen && !t.closed {
		t.dropLogin()
	}
	return nil
}

// pkcs1Algs are the TLS signature schemes a PKCS#1 v1.5-only key can make.
var pkcs1Algs = []tls.SignatureScheme{tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512, tls.PKCS1WithSHA1}

// TLSCertificate is the key and certificate for crypto/tls, followed by chain (the issuing
// CA certificates: a server lists the CAs it accepts, often the root only, and Go's client
// sends nothing unless its chain reaches one of them). Without PSS on the token it offers
// only PKCS#1 v1.5 schemes (TLS 1.2 rsa_pkcs1); with PSS, PSS first.
func (k *Key) TLSCertificate(chain ...*x509.Certificate) tls.Certificate {
	raw := [][]byte{k.cert.Raw}
	for _, c := range chain {
		raw = append(raw, c.Raw)
	}
	algs := pkcs1Algs
	if k.pss {
		algs = append([]tls.SignatureScheme{tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512}, pkcs1Algs...)
	}
	return tls.Certificate{
		Certificate:                  raw,
		PrivateKey:                   k,
		Leaf:                         k.cert,
		SupportedSignatureAlgorithms: algs,
	}
}

// ClientTLSConfig clones base (nil: empty) with this key (and chain, as in TLSCertificate)
// as client certificate. Without PSS it caps TLS at 1.2, since TLS 1.3 signs only with RSA-PSS.
func (k *Key) ClientTLSConfig(base *tls.Config, chain ...*x509.Certificate) *tls.Config {
	c := &tls.Config{}
	if base != nil {
		c = base.Clone()
	}
	c.Certificates = []tls.Certificate{k.TLSCertificate(chain...)}
	if !k.pss && (c.MaxVersion == 0 || c.MaxVersion > tls.VersionTLS12) {
		c.MaxVersion = tls.VersionTLS12
	}
	return c
}

// Identity is the holder identity read from the certificate.
func (k *Key) Identity() (cps.Identity, error) { return cps.FromCertificate(k.cert) }
