package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// keyPEM encodes a private key as PKCS#8 "PRIVATE KEY".
func keyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func readPEM(path, want string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pki: read: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("pki: read %s: %w: %w", path, errNoPEM, ErrPKI)
	}
	if want != "" && blk.Type != want {
		return nil, fmt.Errorf("pki: read %s: pem type %q, want %q: %w", path, blk.Type, want, ErrPKI)
	}
	return blk.Bytes, nil
}

func readCert(path string) (*x509.Certificate, error) {
	der, err := readPEM(path, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: read %s: %v: %w", path, err, ErrPKI)
	}
	return c, nil
}

// readKey reads a PKCS#8 or PKCS#1 private key and checks it matches cert's public key.
// Parse errors are not wrapped verbatim: they could quote key material.
func readKey(path string, cert *x509.Certificate) (crypto.Signer, error) {
	der, err := readPEM(path, "")
	if err != nil {
		return nil, err
	}
	var key any
	key, err = x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		key, err = x509.ParsePKCS1PrivateKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("pki: read %s: not a pkcs#8 or pkcs#1 private key: %w", path, ErrPKI)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("pki: read %s: key cannot sign: %w", path, ErrPKI)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := signer.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("pki: read %s: key does not match its certificate: %w", path, ErrPKI)
	}
	return signer, nil
}

// holderFromCert rebuilds the Holder fields from a certificate subject.
func holderFromCert(c *x509.Certificate) Holder {
	h := Holder{NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	if id, err := cps.FromCertificate(c); err == nil {
		h.Family = id.Family
	}
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(c.RawSubject, &rdn); err != nil {
		return h
	}
	for _, set := range rdn {
		for _, atv := range set {
			s, _ := atv.Value.(string)
			switch {
			case atv.Type.Equal(oidCommonName):
				h.NationalID = s
			case atv.Type.Equal(oidSurname):
				h.Surname = s
			case atv.Type.Equal(oidGivenName):
				h.GivenName = s
			case atv.Type.Equal(oidTitle):
				h.Title = s
			case atv.Type.Equal(oidOrganization):
				h.Organization = s
			}
		}
	}
	return h
}
