// Package certauth verifies card certificates presented over mutual TLS: chain to a configured
// CA bundle, validity dates, key usage (digitalSignature) and extended key usage (clientAuth),
// and revocation through CRLs reloaded when their file changes. Each refusal is a *Refusal with
// the stable api code the portal answers with, instead of a bare TLS alert.
package certauth

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Refusal is a certificate the portal will not accept.
type Refusal struct {
	Code   string // api.CodeCert* or api.CodeUnauthenticated
	Reason string // for logs and audit; never a secret
}

func (r *Refusal) Error() string { return "certificate refused: " + r.Code + ": " + r.Reason }

// Verifier checks client certificate chains. It is safe for concurrent use.
type Verifier struct {
	caFile, crlFile string
	now             func() time.Time
	log             *slog.Logger

	mu    sync.RWMutex
	roots *x509.CertPool
	inter *x509.CertPool
	cas   []*x509.Certificate
	crls  []*x509.RevocationList
	crlAt fileStamp
	check time.Time // last look at the CRL file
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// New loads the CA bundle (PEM; self-signed certificates are roots, the others intermediates)
// and, when crlFile is not "", the CRL file (PEM or DER, one or more CRLs).
func New(caFile, crlFile string, log *slog.Logger) (*Verifier, error) {
	if log == nil {
		log = slog.Default()
	}
	v := &Verifier{caFile: caFile, crlFile: crlFile, now: time.Now, log: log}
	if err := v.loadCAs(); err != nil {
		return nil, err
	}
	if crlFile != "" {
		if err := v.reloadCRL(true); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// SetClock replaces time.Now (tests).
func (v *Verifier) SetClock(now func() time.Time) { v.now = now }

func (v *Verifier) loadCAs() error {
	b, err := os.ReadFile(v.caFile)
	if err != nil {
		return fmt.Errorf("client ca bundle: %w", err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	var cas []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return fmt.Errorf("client ca bundle %s: %w", v.caFile, err)
		}
		if !c.IsCA {
			return fmt.Errorf("client ca bundle %s: %q is not a CA", v.caFile, c.Subject.CommonName)
		}
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else {
			inter.AddCert(c)
		}
		cas = append(cas, c)
	}
	if len(cas) == 0 {
		return fmt.Errorf("client ca bundle %s: no certificate", v.caFile)
	}
	v.roots, v.inter, v.cas = roots, inter, cas
	return nil
}

// reloadCRL rereads the CRL file when it changed (always when force). A CRL that does not
// parse or whose signature does not check against a configured CA is an error: the previous
// CRLs stay in force.
func (v *Verifier) reloadCRL(force bool) error {
	st, err := os.Stat(v.crlFile)
	if err != nil {
		return fmt.Errorf("crl: %w", err)
	}
	stamp := fileStamp{st.ModTime(), st.Size()}
	v.mu.RLock()
	same := stamp == v.crlAt
	v.mu.RUnlock()
	if same && !force {
		return nil
	}
	b, err := os.ReadFile(v.crlFile)
	if err != nil {
		return fmt.Errorf("crl: %w", err)
	}
	crls, err := parseCRLs(b, v.cas)
	if err != nil {
		return fmt.Errorf("crl %s: %w", v.crlFile, err)
	}
	v.mu.Lock()
	v.crls, v.crlAt = crls, stamp
	v.mu.Unlock()
	v.log.Info("crl loaded", "file", v.crlFile, "crls", len(crls))
	return nil
}

func parseCRLs(b []byte, cas []*x509.Certificate) ([]*x509.RevocationList, error) {
	var ders [][]byte
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type == "X509 CRL" {
			ders = append(ders, blk.Bytes)
		}
	}
	if len(ders) == 0 {
		ders = [][]byte{b} // DER
	}
	var out []*x509.RevocationList
	for _, der := range ders {
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			return nil, err
		}
		ok := false
		for _, ca := range cas {
			if crl.CheckSignatureFrom(ca) == nil {
				ok = true
				break
			}
		}
		if !ok {
			return nil, errors.New("crl not signed by a configured ca")
		}
		out = append(out, crl)
	}
	return out, nil
}

// maybeReload looks at the CRL file at most once a second.
func (v *Verifier) maybeReload(now time.Time) {
	if v.crlFile == "" {
		return
	}
	v.mu.Lock()
	due := now.Sub(v.check) >= time.Second
	if due {
		v.check = now
	}
	v.mu.Unlock()
	if !due {
		return
	}
	if err := v.reloadCRL(false); err != nil {
		v.log.Warn("crl reload failed, keeping the previous one", "err", err)
	}
}
