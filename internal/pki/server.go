package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"time"
)

// IssueServer issues an RSA-2048 TLS server certificate (serverAuth only, valid for a year)
// for the given DNS names and IP addresses, signed by the issuing CA, with the chain
// (server, issuing CA). Clients trust it with Pool. It is for loopback servers in tests: it
// cannot pass as a holder (no clientAuth, no CPx common name).
func (p *PKI) IssueServer(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, fmt.Errorf("pki: server certificate: no host: %w", ErrPKI)
	}
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: server key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{Org}, Country: []string{"FR"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, err := sign(tmpl, p.Issuer.Cert, &key.PublicKey, p.Issuer.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: server certificate: %w", err)
	}
	return tls.Certificate{
		Certificate: [][]byte{cert.Raw, p.Issuer.Cert.Raw},
		PrivateKey:  key,
		Leaf:        cert,
	}, nil
}
