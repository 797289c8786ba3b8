package client

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// pkcs1Schemes are the TLS 1.2 signature schemes a CPS3 key can make.
var pkcs1Schemes = []tls.SignatureScheme{tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512}

// SignInCard signs in with the card's key (signer, which stays on the card) and its
// authentication certificate over mutual TLS: a fresh connection, closed after the call, so
// the card signs exactly one handshake.
func (c *Client) SignInCard(ctx context.Context, signer crypto.Signer, leaf *x509.Certificate, workstation string) (api.SignIn, error) {
	if signer == nil || leaf == nil {
		return api.SignIn{}, errors.New("portal card sign-in: no card key or certificate")
	}
	cert := c.TLSCertificate(signer, leaf)
	cfg := &tls.Config{RootCAs: c.opts.RootCAs, MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if cert.SupportedSignatureAlgorithms != nil {
		cfg.MaxVersion = tls.VersionTLS12 // TLS 1.3 signs with RSA-PSS only
	}
	// One request on a fresh connection: HTTP/1.1 costs less to set up than HTTP/2 here.
	tr := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: c.opts.Timeout}
	var out api.SignIn
	err := c.do(ctx, hc, http.MethodPost, "/signin/card", "", api.CardSignInRequest{Workstation: workstation}, &out)
	return out, err
}

// TLSCertificate builds the client certificate of a card credential (the signer stays on the
// card), restricted to PKCS#1 v1.5 signatures unless the signer can do PSS (see
// Options.PKCS1Only).
func (c *Client) TLSCertificate(signer crypto.Signer, leaf *x509.Certificate) tls.Certificate {
	chain := [][]byte{leaf.Raw}
	for _, ca := range c.opts.Chain {
		chain = append(chain, ca.Raw)
	}
	out := tls.Certificate{Certificate: chain, PrivateKey: signer, Leaf: leaf}
	if _, isRSA := signer.Public().(*rsa.PublicKey); isRSA && c.pkcs1Only(signer) {
		out.SupportedSignatureAlgorithms = pkcs1Schemes
	}
	return out
}

func (c *Client) pkcs1Only(signer crypto.Signer) bool {
	if c.opts.PKCS1Only != nil {
		return *c.opts.PKCS1Only
	}
	if p, ok := signer.(interface{ CanPSS() bool }); ok {
		return !p.CanPSS()
	}
	_, software := signer.(*rsa.PrivateKey)
	return !software
}
