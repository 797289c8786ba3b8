package pki

import (
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files written by Save.
const (
	RootFile      = "root.pem"
	RootKeyFile   = "root-key.pem"
	IssuerFile    = "issuer.pem"
	IssuerKeyFile = "issuer-key.pem"
	ChainFile     = "chain.pem" // issuer then root
	CRLFile       = "crl.pem"
	RevokedFile   = "revoked.json"
)

type revokedJSON struct {
	CRLNumber int64         `json:"crl_number"`
	Revoked   []revokedItem `json:"revoked"`
}

type revokedItem struct {
	Serial    string    `json:"serial"` // hex
	RevokedAt time.Time `json:"revoked_at"`
}

// Save writes the PKI to dir (created 0700 if missing), overwriting its files: certificates
// and CRL 0644, keys 0600. The CRL is made fresh at time.Now().
func (p *PKI) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: save: %w", err)
	}
	rootKey, err := keyPEM(p.Root.Key)
	if err != nil {
		return err
	}
	issKey, err := keyPEM(p.Issuer.Key)
	if err != nil {
		return err
	}
	crl, err := p.CRL(time.Now())
	if err != nil {
		return err
	}
	rev, err := p.revokedJSON()
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{RootFile, certPEM(p.Root.Cert), 0o644},
		{IssuerFile, certPEM(p.Issuer.Cert), 0o644},
		{ChainFile, append(certPEM(p.Issuer.Cert), certPEM(p.Root.Cert)...), 0o644},
		{RootKeyFile, rootKey, 0o600},
		{IssuerKeyFile, issKey, 0o600},
		{CRLFile, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), 0o644},
		{RevokedFile, rev, 0o644},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func (p *PKI) revokedJSON() ([]byte, error) {
	p.mu.Lock()
	out := revokedJSON{CRLNumber: p.crlNumber, Revoked: []revokedItem{}}
	for _, r := range p.revoked {
		out.Revoked = append(out.Revoked, revokedItem{Serial: r.Serial.Text(16), RevokedAt: r.At})
	}
	p.mu.Unlock()
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pki: revoked list: %w", err)
	}
	return append(b, '\n'), nil
}

// Load reads a PKI written by Save and checks each key matches its certificate.
func Load(dir string) (*PKI, error) {
	root, err := loadCA(dir, RootFile, RootKeyFile)
	if err != nil {
		return nil, err
	}
	iss, err := loadCA(dir, IssuerFile, IssuerKeyFile)
	if err != nil {
		return nil, err
	}
	if err := iss.Cert.CheckSignatureFrom(root.Cert); err != nil {
		return nil, fmt.Errorf("pki: load %s: issuer not signed by root: %v: %w", dir, err, ErrPKI)
	}
	p := &PKI{Root: root, Issuer: iss, revoked: map[string]revokedEntry{}}
	b, err := os.ReadFile(filepath.Join(dir, RevokedFile))
	if err != nil {
		return nil, fmt.Errorf("pki: load: %w", err)
	}
	var rev revokedJSON
	if err := json.Unmarshal(b, &rev); err != nil {
		return nil, fmt.Errorf("pki: load %s: %v: %w", RevokedFile, err, ErrPKI)
	}
	p.crlNumber = rev.CRLNumber
	for _, r := range rev.Revoked {
		n, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok || n.Sign() <= 0 {
			return nil, fmt.Errorf("pki: load %s: bad serial %q: %w", RevokedFile, r.Serial, ErrPKI)
		}
		p.revoked[n.String()] = revokedEntry{Serial: n, At: r.RevokedAt}
	}
	return p, nil
}

func loadCA(dir, certFile, keyFile string) (*CA, error) {
	cert, err := readCert(filepath.Join(dir, certFile))
	if err != nil {
		return nil, err
	}
	key, err := readKey(filepath.Join(dir, keyFile), cert)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// Save writes <name>.crt.pem (0644) and <name>.key.pem (0600) in dir (created if missing).
func (i *Issued) Save(dir, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: save %s: %w", name, err)
	}
	key, err := keyPEM(i.Key)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, name+".crt.pem"), certPEM(i.Cert), 0o644); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, name+".key.pem"), key, 0o600)
}

// LoadIssued reads a holder saved by Issued.Save. Holder is rebuilt from the certificate
// subject (Family through cps.FromCertificate; empty when the subject is not a CPx one).
func LoadIssued(dir, name string) (*Issued, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	cert, err := readCert(filepath.Join(dir, name+".crt.pem"))
	if err != nil {
		return nil, err
	}
	signer, err := readKey(filepath.Join(dir, name+".key.pem"), cert)
	if err != nil {
		return nil, err
	}
	key, ok := signer.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("pki: load %s: key is not rsa: %w", name, ErrPKI)
	}
	return &Issued{Holder: holderFromCert(cert), Cert: cert, Key: key}, nil
}

func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("pki: bad holder file name %q: %w", name, ErrPKI)
	}
	return nil
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("pki: write: %w", err)
	}
	// WriteFile keeps the mode of an existing file: set it.
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("pki: write: %w", err)
	}
	return nil
}

var errNoPEM = errors.New("no pem block")
