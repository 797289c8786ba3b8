package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

// pscDevClientID is cpx-pscsim's dev client (tls_client_auth, subject pki.ServiceClientDN).
const pscDevClientID = "cpx-portal-dev"

// pscOptions builds the Pro Santé Connect client from the configuration (nil when off).
// Discovery happens at the first sign-in, so a PSC outage does not stop the portal.
func pscOptions(c config.Config, log *slog.Logger) (*server.PSCOptions, error) {
	if !c.PSC.On() {
		return nil, nil
	}
	cl, err := psc.New(c.PSC, log)
	if err != nil {
		return nil, err
	}
	pub := c.PSC.PublicURL
	if pub == "" {
		host, port, err := net.SplitHostPort(c.Listen)
		if err != nil {
			return nil, fmt.Errorf("psc.public_url: cannot derive it from listen %q", c.Listen)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		pub = "https://" + net.JoinHostPort(host, port)
	}
	log.Info("Pro Santé Connect sign-in on", "issuer", c.PSC.Issuer, "client_id", c.PSC.ClientID,
		"auth", map[bool]string{true: "tls_client_auth", false: "client_secret_basic"}[c.PSC.ClientCert != ""],
		"callback", pub+"/v1/signin/psc/browser/callback")
	return &server.PSCOptions{Client: cl, PublicURL: pub}, nil
}

// devPSC points a dev portal given only a simulator's issuer (CPX_PORTAL_PSC_ISSUER) at the
// simulator's dev client: tls_client_auth with a certificate of the same test PKI, and that
// PKI's root as the only trust for the simulator (never "accept any certificate").
func devPSC(c config.Config, p *pki.PKI, pkiDir string) (config.Config, error) {
	if !c.PSC.On() || c.PSC.ClientID != "" {
		return c, nil
	}
	c.PSC.ClientID = pscDevClientID
	c.PSC.ClientCert = filepath.Join(c.DataDir, "psc-client.pem")
	c.PSC.ClientKey = filepath.Join(c.DataDir, "psc-client-key.pem")
	if c.PSC.CAFile == "" {
		c.PSC.CAFile = filepath.Join(pkiDir, pki.RootFile)
	}
	if _, err := os.Stat(c.PSC.ClientCert); err != nil {
		cert, err := p.IssueClient(pscDevClientID)
		if err != nil {
			return c, err
		}
		if err := writeKeyPair(cert, c.PSC.ClientCert, c.PSC.ClientKey); err != nil {
			return c, err
		}
	}
	return c, c.PSC.Validate()
}

// writeKeyPair writes a certificate chain and its key as PEM (the key 0600).
func writeKeyPair(cert tls.Certificate, certPath, keyPath string) error {
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return fmt.Errorf("key: %w", err)
	}
	var chain []byte
	for _, c := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certPath, chain, 0o644)
}
