package pki

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"sort"
	"time"
)

// crlLifetime is the time between a CRL's ThisUpdate and NextUpdate.
const crlLifetime = 24 * time.Hour

// Revoke adds serial to the revocation list (revoking twice keeps the first date).
func (p *PKI) Revoke(serial *big.Int) error {
	if serial == nil || serial.Sign() <= 0 {
		return fmt.Errorf("pki: revoke: serial must be positive: %w", ErrPKI)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.revoked == nil {
		p.revoked = map[string]revokedEntry{}
	}
	k := serial.String()
	if _, ok := p.revoked[k]; !ok {
		p.revoked[k] = revokedEntry{Serial: new(big.Int).Set(serial), At: time.Now().UTC().Truncate(time.Second)}
	}
	return nil
}

// IsRevoked tells whether serial is on the revocation list.
func (p *PKI) IsRevoked(serial *big.Int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.revoked[serial.String()]
	return ok
}

// CRL gives a DER CRL signed by the issuing CA listing every revoked serial, valid from now
// for 24 hours. Its CRL number grows with each call.
func (p *PKI) CRL(now time.Time) ([]byte, error) {
	p.mu.Lock()
	entries := make([]x509.RevocationListEntry, 0, len(p.revoked))
	for _, r := range p.revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: r.Serial, RevocationTime: r.At})
	}
	p.crlNumber = max(p.crlNumber+1, now.Unix())
	number := big.NewInt(p.crlNumber)
	p.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].SerialNumber.Cmp(entries[j].SerialNumber) < 0
	})
	tmpl := &x509.RevocationList{
		Number:                    number,
		ThisUpdate:                now.UTC(),
		NextUpdate:                now.Add(crlLifetime).UTC(),
		RevokedCertificateEntries: entries,
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.Issuer.Cert, p.Issuer.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: crl: %w", err)
	}
	return der, nil
}
