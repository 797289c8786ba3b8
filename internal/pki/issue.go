package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"
)

var (
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidTitle        = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
)

// holderLifetime is the default validity of a holder certificate.
const holderLifetime = 3 * 365 * 24 * time.Hour

// Subject builds the holder's subject as IGC-Santé writes it: C=FR, O, title, then one
// multi-valued RDN CN+SN+GN (printed "CN=…+SN=…+GN=…, title=…, O=…, C=FR").
func (h Holder) Subject() pkix.RDNSequence {
	org := h.Organization
	if org == "" {
		org = Org
	}
	seq := pkix.RDNSequence{
		{{Type: oidCountry, Value: "FR"}},
		{{Type: oidOrganization, Value: org}},
	}
	if h.Title != "" {
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oidTitle, Value: h.Title}})
	}
	multi := pkix.RelativeDistinguishedNameSET{{Type: oidCommonName, Value: h.NationalID}}
	if h.Surname != "" {
		multi = append(multi, pkix.AttributeTypeAndValue{Type: oidSurname, Value: h.Surname})
	}
	if h.GivenName != "" {
		multi = append(multi, pkix.AttributeTypeAndValue{Type: oidGivenName, Value: h.GivenName})
	}
	return append(seq, multi)
}

// Issue creates an RSA-2048 key and a client-authentication certificate for h, signed by the
// issuing CA. Zero NotBefore/NotAfter give now-1h .. now+3y; dates in the past give an
// expired certificate (for refusal tests).
func (p *PKI) Issue(h Holder) (*Issued, error) {
	if h.NationalID == "" {
		return nil, fmt.Errorf("pki: issue: empty national id: %w", ErrPKI)
	}
	now := time.Now()
	if h.NotBefore.IsZero() {
		h.NotBefore = now.Add(-time.Hour)
	}
	if h.NotAfter.IsZero() {
		h.NotAfter = h.NotBefore.Add(holderLifetime)
	}
	if !h.NotAfter.After(h.NotBefore) {
		return nil, fmt.Errorf("pki: issue %s: not after is before not before: %w", h.NationalID, ErrPKI)
	}
	rawSubject, err := asn1.Marshal(h.Subject())
	if err != nil {
		return nil, fmt.Errorf("pki: issue %s: subject: %w", h.NationalID, err)
	}
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("pki: issue %s: key: %w", h.NationalID, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            rawSubject,
		NotBefore:             h.NotBefore,
		NotAfter:              h.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	cert, err := sign(tmpl, p.Issuer.Cert, &key.PublicKey, p.Issuer.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: issue %s: sign: %w", h.NationalID, err)
	}
	return &Issued{Holder: h, Cert: cert, Key: key}, nil
}

// TLSCertificate gives the holder's key and chain (holder, issuing CA) for a TLS client.
// issuer is the issuing CA's certificate; nil sends the holder certificate alone.
func (i *Issued) TLSCertificate(issuer *x509.Certificate) tls.Certificate {
	chain := [][]byte{i.Cert.Raw}
	if issuer != nil {
		chain = append(chain, issuer.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: i.Key, Leaf: i.Cert}
}
