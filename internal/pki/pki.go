// Package pki is a test public-key infrastructure shaped like IGC-Santé: a self-signed root
// ("AC RACINE IGC-SANTE TEST"), a "personnes" issuing CA signed by it ("AC IGC-SANTE TEST
// PERSONNES"), holder certificates whose subject carries the multi-valued RDN CN+SN+GN of CPx
// cards, and a CRL. Every name says TEST; it never holds or imitates real keys.
//
// RSA-2048 key generation is slow on small machines: tests should share one PKI per process
// through Shared, and issue holders from it.
package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

// Default CA names.
const (
	RootCN   = "AC RACINE IGC-SANTE TEST"
	IssuerCN = "AC IGC-SANTE TEST PERSONNES"
	// Org is the organisation written in CA and (by default) holder subjects.
	Org = "CPX-AGENT TEST"
)

// ErrPKI marks errors of this package (bad input, unreadable files, mismatched keys).
var ErrPKI = errors.New("test pki")

// Holder describes one card holder to issue a certificate for.
type Holder struct {
	// Family is informational: verifiers derive the family from NationalID (see
	// cps.FromCertificate), so a CPF holder with an RPPS number reads back as CPS.
	Family     cps.Family // CPS, CPE, CPA …
	NationalID string     // CN: "8"+RPPS, "0"+ADELI, "3"+FINESS+"/"+id, "5"+SIRET+"/"+id
	Surname    string
	GivenName  string
	Title      string
	// Organization is the subject's O; empty gives Org.
	Organization string
	// NotBefore, NotAfter: zero values give now-1h .. now+3y.
	NotBefore, NotAfter time.Time
}

// CA is a certificate authority: its certificate and signing key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Issued is a holder certificate with its private key.
type Issued struct {
	Holder Holder
	Cert   *x509.Certificate
	Key    *rsa.PrivateKey
}

// PKI is the root CA, the issuing CA and the revocation list. Its methods are safe for
// concurrent use.
type PKI struct {
	Root, Issuer *CA

	mu        sync.Mutex
	revoked   map[string]revokedEntry // by serial, decimal
	crlNumber int64
}

type revokedEntry struct {
	Serial *big.Int
	At     time.Time
}

// caValidity: CAs are valid from 5 years ago for 15 years, so expired-holder and
// validity-window tests never trip on the CA itself.
const (
	caBackdate = 5 * 365 * 24 * time.Hour
	caLifetime = 15 * 365 * 24 * time.Hour
	keyBits    = 2048
)

// New creates a PKI with the default TEST names.
func New() (*PKI, error) { return NewNamed(RootCN, IssuerCN) }

// NewNamed creates a PKI with the given CA common names: use it for an unrelated CA that
// verifiers must refuse. Both names must contain "TEST" (never imitate a real CA) and differ.
func NewNamed(rootCN, issuerCN string) (*PKI, error) {
	if !strings.Contains(rootCN, "TEST") || !strings.Contains(issuerCN, "TEST") || rootCN == issuerCN {
		return nil, fmt.Errorf("pki: ca names must differ and contain TEST: %w", ErrPKI)
	}
	now := time.Now()
	rootKey, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("pki: root key: %w", err)
	}
	rootTmpl, err := caTemplate(rootCN, now, -1)
	if err != nil {
		return nil, err
	}
	root, err := sign(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("pki: root certificate: %w", err)
	}
	issKey, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("pki: issuer key: %w", err)
	}
	issTmpl, err := caTemplate(issuerCN, now, 0)
	if err != nil {
		return nil, err
	}
	iss, err := sign(issTmpl, root, &issKey.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("pki: issuer certificate: %w", err)
	}
	return &PKI{
		Root:    &CA{Cert: root, Key: rootKey},
		Issuer:  &CA{Cert: iss, Key: issKey},
		revoked: map[string]revokedEntry{},
	}, nil
}

// caTemplate: maxPathLen -1 means unlimited (root), 0 means it may only issue end entities.
func caTemplate(cn string, now time.Time, maxPathLen int) (*x509.Certificate, error) {
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         cn,
			OrganizationalUnit: []string{"IGC-SANTE TEST"},
			Organization:       []string{Org},
			Country:            []string{"FR"},
		},
		NotBefore:             now.Add(-caBackdate),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            maxPathLen,
		MaxPathLenZero:        maxPathLen == 0,
	}, nil
}

// sign creates a certificate from tmpl signed by parent's key and parses it back.
func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// newSerial gives a random positive 127-bit serial number.
func newSerial() (*big.Int, error) {
	max := new(big.Int).Lsh(big.NewInt(1), 127)
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return nil, fmt.Errorf("pki: serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// Pool gives the trust anchors verifiers should use: the root only.
func (p *PKI) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// Intermediates gives a pool holding the issuing CA, for x509.VerifyOptions.Intermediates.
func (p *PKI) Intermediates() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Issuer.Cert)
	return pool
}

// VerifyOptions gives options that verify a holder certificate for client authentication.
func (p *PKI) VerifyOptions(now time.Time) x509.VerifyOptions {
	return x509.VerifyOptions{
		Roots:         p.Pool(),
		Intermediates: p.Intermediates(),
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}
