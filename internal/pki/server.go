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

// ServiceClientDN gives the subject distinguished name, as crypto/x509 prints it
// (pkix.Name.String), of a certificate IssueClient issued for cn: what an OpenID provider
// compares with a client's tls_client_auth_subject_dn.
func ServiceClientDN(cn string) string {
	return pkix.Name{CommonName: cn, Organization: []string{Org}, Country: []string{"FR"}}.String()
}

// IssueServer issues an RSA-2048 TLS server certificate (serverAuth only, valid for a year)
// for the given DNS names and IP addresses, signed by the issuing CA, with the chain
// (server, issuing CA). Clients trust it with Pool. It is for loopback servers in tests: it
// cannot pass as a holder (no clientAuth, no CPx common name).
func (p *PKI) IssueServer(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, fmt.Errorf("pki: server certificate: no host: %w", ErrPKI)
	}
	return p.issueService(hosts[0], x509.ExtKeyUsageServerAuth, hosts)
}

// IssueClient issues an RSA-2048 TLS client certificate (clientAuth only, valid for a year)
// for a service, not a person: subject CN=cn, O=Org, C=FR (see ServiceClientDN), signed by
// the issuing CA, with the chain (client, issuing CA). It is what a confidential OpenID
// client presents for tls_client_auth, e.g. the portal's dev client "cpx-portal-dev" at
// cpx-pscsim. A CPx verifier must not take it for a holder: its CN is no national id.
func (p *PKI) IssueClient(cn string) (tls.Certificate, error) {
	if cn == "" {
		return tls.Certificate{}, fmt.Errorf("pki: client certificate: empty common name: %w", ErrPKI)
	}
	return p.issueService(cn, x509.ExtKeyUsageClientAuth, nil)
}

func (p *PKI) issueService(cn string, usage x509.ExtKeyUsage, hosts []string) (tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: service key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{Org}, Country: []string{"FR"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{usage},
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
		return tls.Certificate{}, fmt.Errorf("pki: service certificate %s: %w", cn, err)
	}
	return tls.Certificate{
		Certificate: [][]byte{cert.Raw, p.Issuer.Cert.Raw},
		PrivateKey:  key,
		Leaf:        cert,
	}, nil
}
