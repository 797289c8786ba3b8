package certauth

import (
	"bytes"
	"crypto/x509"
	"errors"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Verify checks the chain the client sent (leaf first). It returns the verified chain or a
// *Refusal: CodeUnauthenticated without a certificate, CodeCertUntrusted when no configured CA
// issued it, CodeCertExpired outside its validity, CodeCertUsage when its key usage or EKU
// forbids client authentication, CodeCertRevoked when a CRL lists it.
func (v *Verifier) Verify(peer []*x509.Certificate) ([]*x509.Certificate, error) {
	if len(peer) == 0 {
		return nil, &Refusal{Code: api.CodeUnauthenticated, Reason: "no client certificate"}
	}
	now := v.now()
	v.maybeReload(now)
	leaf := peer[0]
	v.mu.RLock()
	roots, inter := v.roots, v.inter.Clone()
	crls := v.crls
	v.mu.RUnlock()
	for _, c := range peer[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	chains, err := leaf.Verify(opts)
	if err != nil {
		return nil, v.classify(leaf, opts, err)
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, &Refusal{Code: api.CodeCertUsage, Reason: "key usage lacks digitalSignature"}
	}
	chain := chains[0]
	if len(chain) > 1 && isRevoked(leaf, chain[1], crls) {
		return nil, &Refusal{Code: api.CodeCertRevoked, Reason: "serial " + leaf.SerialNumber.Text(16) + " is on the crl"}
	}
	return chain, nil
}

// classify turns a verification error into a refusal. An expired certificate that a
// configured CA did issue is "expired"; one no CA issued is "untrusted" whatever its dates.
func (v *Verifier) classify(leaf *x509.Certificate, opts x509.VerifyOptions, err error) error {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		switch inv.Reason {
		case x509.Expired:
			within := opts
			within.CurrentTime = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
			if _, err2 := leaf.Verify(within); err2 == nil {
				return &Refusal{Code: api.CodeCertExpired, Reason: "outside " + leaf.NotBefore.Format(time.RFC3339) + " .. " + leaf.NotAfter.Format(time.RFC3339)}
			}
			return &Refusal{Code: api.CodeCertUntrusted, Reason: "expired and not issued by a configured ca"}
		case x509.IncompatibleUsage:
			return &Refusal{Code: api.CodeCertUsage, Reason: "extended key usage lacks clientAuth"}
		}
	}
	return &Refusal{Code: api.CodeCertUntrusted, Reason: err.Error()}
}

func isRevoked(leaf, issuer *x509.Certificate, crls []*x509.RevocationList) bool {
	for _, crl := range crls {
		if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) || crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
				return true
			}
		}
	}
	return false
}
