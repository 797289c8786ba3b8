package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrExists: a PKI is already saved in the directory and overwriting was not asked for.
var ErrExists = errors.New("a pki already exists")

// Demo is a saved PKI with the demo holders (see DemoHolders), as `cpx-vcard pki` writes it.
type Demo struct {
	Dir     string
	PKI     *PKI
	Holders map[string]*Issued // by DemoHolders key
	Files   []string           // every file written, sorted
}

// DemoKeys gives the DemoHolders keys, sorted.
func DemoKeys() []string {
	keys := make([]string, 0, 4)
	for k := range DemoHolders() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Exists tells whether dir holds a saved PKI (its root certificate or issuer key).
func Exists(dir string) (bool, error) {
	for _, f := range []string{RootFile, IssuerKeyFile} {
		_, err := os.Lstat(filepath.Join(dir, f))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("pki: %w", err)
		}
	}
	return false, nil
}

// CreateDemo makes a new PKI in dir and issues every demo holder as <key>.crt.pem and
// <key>.key.pem. When dir already holds a PKI it fails with ErrExists unless force is set.
func CreateDemo(dir string, force bool) (*Demo, error) {
	if exists, err := Exists(dir); err != nil {
		return nil, err
	} else if exists && !force {
		return nil, fmt.Errorf("pki: %s: %w", dir, ErrExists)
	}
	p, err := New()
	if err != nil {
		return nil, err
	}
	d := &Demo{Dir: dir, PKI: p, Holders: map[string]*Issued{}}
	for key, h := range DemoHolders() {
		is, err := p.Issue(h)
		if err != nil {
			return nil, fmt.Errorf("pki: demo holder %s: %w", key, err)
		}
		d.Holders[key] = is
	}
	// Save the PKI first: a half-written directory then has CA files and is seen as a PKI.
	if err := p.Save(dir); err != nil {
		return nil, err
	}
	for key, is := range d.Holders {
		if err := is.Save(dir, key); err != nil {
			return nil, err
		}
	}
	d.Files = demoFiles(dir)
	return d, nil
}

// LoadDemo reads a PKI and its demo holders saved by CreateDemo.
func LoadDemo(dir string) (*Demo, error) {
	p, err := Load(dir)
	if err != nil {
		return nil, err
	}
	d := &Demo{Dir: dir, PKI: p, Holders: map[string]*Issued{}, Files: demoFiles(dir)}
	for _, key := range DemoKeys() {
		is, err := LoadIssued(dir, key)
		if err != nil {
			return nil, err
		}
		if err := is.Cert.CheckSignatureFrom(p.Issuer.Cert); err != nil {
			return nil, fmt.Errorf("pki: demo holder %s not issued by %s: %w", key, dir, ErrPKI)
		}
		d.Holders[key] = is
	}
	return d, nil
}

// OpenOrCreateDemo loads the demo PKI in dir, creating it when dir holds none.
func OpenOrCreateDemo(dir string) (*Demo, error) {
	exists, err := Exists(dir)
	if err != nil {
		return nil, err
	}
	if exists {
		return LoadDemo(dir)
	}
	return CreateDemo(dir, false)
}

func demoFiles(dir string) []string {
	files := []string{RootFile, RootKeyFile, IssuerFile, IssuerKeyFile, ChainFile, CRLFile, RevokedFile}
	for _, key := range DemoKeys() {
		files = append(files, key+".crt.pem", key+".key.pem")
	}
	for i, f := range files {
		files[i] = filepath.Join(dir, f)
	}
	sort.Strings(files)
	return files
}

// SubjectString prints a holder subject the way IGC-Santé documents write it:
// "CN=810002813839+SN=DONNAT-GADY+GN=ISABELLE, title=Médecin, O=…, C=FR".
func (h Holder) SubjectString() string {
	first := "CN=" + h.NationalID
	if h.Surname != "" {
		first += "+SN=" + h.Surname
	}
	if h.GivenName != "" {
		first += "+GN=" + h.GivenName
	}
	parts := []string{first}
	if h.Title != "" {
		parts = append(parts, "title="+h.Title)
	}
	org := h.Organization
	if org == "" {
		org = Org
	}
	return strings.Join(append(parts, "O="+org, "C=FR"), ", ")
}
