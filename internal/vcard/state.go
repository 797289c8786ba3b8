package vcard

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Try counters of a fresh card.
const (
	PINMaxTries = 3
	PUKMaxTries = 10
)

// Demo secrets of every card initialised without explicit ones (documented, test only).
const (
	DefaultPIN = "1234"
	DefaultPUK = "12345678"
)

// Files of a state directory.
const (
	stateFile = "state.json"
	keyFile   = "key.pem"
	certFile  = "cert.pem"
)

var (
	// ErrNoState is returned when a state directory holds no card yet.
	ErrNoState = errors.New("vcard: no card state")
	// ErrBadState is returned when a state directory is unreadable or inconsistent.
	ErrBadState = errors.New("vcard: bad card state")
)

// state is what the card keeps across restarts. Only the card's goroutine mutates it.
type state struct {
	dir      string
	serial   []byte
	pinHash  string
	pukHash  string
	pinTries int
	pukTries int
	key      *rsa.PrivateKey
	cert     *x509.Certificate
}

type stateJSON struct {
	Version  int    `json:"version"`
	Serial   string `json:"serial"`
	PINHash  string `json:"pin_hash"`
	PUKHash  string `json:"puk_hash"`
	PINTries int    `json:"pin_tries_left"`
	PUKTries int    `json:"puk_tries_left"`
}

// newSerial returns a fresh EF.SN.ICC value: the ANS issuer bytes then 7 random bytes.
func newSerial() ([]byte, error) {
	s := make([]byte, 12)
	copy(s, []byte{0x80, 0x25, 0x00, 0x00, 0x01})
	if _, err := rand.Read(s[5:]); err != nil {
		return nil, fmt.Errorf("card serial: %w", err)
	}
	return s, nil
}

// initState creates a card in dir (which must not hold one yet) and writes it.
func initState(dir string, cert *x509.Certificate, key *rsa.PrivateKey, pin, puk string) (*state, error) {
	if cert == nil || key == nil {
		return nil, fmt.Errorf("init card state: %w: holder certificate and key required", ErrNoState)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("init card state: %w: key does not match certificate", ErrBadState)
	}
	if key.N.BitLen() != 2048 {
		return nil, fmt.Errorf("init card state: %w: RSA-2048 key required, got %d bits", ErrBadState, key.N.BitLen())
	}
	if !validPIN([]byte(pin), 4) || !validPIN([]byte(puk), 8) {
		return nil, fmt.Errorf("init card state: %w: PIN must be 4-8 digits, PUK 8 digits", ErrBadState)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	s := &state{dir: dir, serial: serial, pinTries: PINMaxTries, pukTries: PUKMaxTries, key: key, cert: cert}
	if s.pinHash, err = hashSecret([]byte(pin)); err != nil {
		return nil, err
	}
	if s.pukHash, err = hashSecret([]byte(puk)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("init card state: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("init card state: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, keyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(dir, certFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})); err != nil {
		return nil, err
	}
	return s, s.save()
}

// loadState reads the card kept in dir; ErrNoState when there is none.
func loadState(dir string) (*state, error) {
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoState
	}
	if err != nil {
		return nil, fmt.Errorf("load card state: %w", err)
	}
	var j stateJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("load card state: %w: %v", ErrBadState, err)
	}
	serial, err := hex.DecodeString(j.Serial)
	if err != nil || j.Version != 1 || len(serial) != 12 || j.PINTries < 0 || j.PINTries > PINMaxTries ||
		j.PUKTries < 0 || j.PUKTries > PUKMaxTries || j.PINHash == "" || j.PUKHash == "" {
		return nil, fmt.Errorf("load card state: %w: invalid %s", ErrBadState, stateFile)
	}
	s := &state{dir: dir, serial: serial, pinHash: j.PINHash, pukHash: j.PUKHash, pinTries: j.PINTries, pukTries: j.PUKTries}
	if s.cert, s.key, err = loadHolder(dir); err != nil {
		return nil, err
	}
	return s, nil
}

func loadHolder(dir string) (*x509.Certificate, *rsa.PrivateKey, error) {
	certDER, err := readPEM(filepath.Join(dir, certFile), "CERTIFICATE")
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, nil, fmt.Errorf("load card state: %w: %v", ErrBadState, err)
	}
	keyDER, err := readPEM(filepath.Join(dir, keyFile), "PRIVATE KEY")
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	key, isRSA := k.(*rsa.PrivateKey)
	if err != nil || !isRSA || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("load card state: %w: key unreadable or not the certificate's", ErrBadState)
	}
	return cert, key, nil
}

func readPEM(path, typ string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load card state: %w: %w", ErrBadState, err)
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != typ {
		return nil, fmt.Errorf("load card state: %w: %s is not a %s PEM file", ErrBadState, filepath.Base(path), typ)
	}
	return b.Bytes, nil
}

// save writes state.json atomically.
func (s *state) save() error {
	raw, err := json.MarshalIndent(stateJSON{
		Version: 1, Serial: hex.EncodeToString(s.serial), PINHash: s.pinHash, PUKHash: s.pukHash,
		PINTries: s.pinTries, PUKTries: s.pukTries,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("save card state: %w", err)
	}
	return writeAtomic(filepath.Join(s.dir, stateFile), append(raw, '\n'))
}

// writeAtomic writes data to path through a synced temporary file and a rename, mode 0600.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save card state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save card state: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("save card state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save card state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save card state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save card state: %w", err)
	}
	return nil
}
