package agent

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"time"
)

// trace is one ordered log shared by the fakes and the snapshot recorder, to assert what
// happened before what.
type trace struct {
	mu    sync.Mutex
	lines []string
}

func (t *trace) add(s string) {
	t.mu.Lock()
	t.lines = append(t.lines, s)
	t.mu.Unlock()
}

func (t *trace) all() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.lines...)
}

// fakeMonitor emits the card events the test asks for.
type fakeMonitor struct {
	ch chan CardEvent
	tr *trace
}

func (m *fakeMonitor) Events(ctx context.Context) <-chan CardEvent { return m.ch }

func (m *fakeMonitor) insert(reader string, known bool) {
	m.tr.add("card:inserted:" + reader)
	m.ch <- CardEvent{Kind: CardInserted, Reader: reader, Known: known, Family: "CPE", Generation: "CPS3", At: time.Now()}
}

func (m *fakeMonitor) remove(reader string) {
	m.tr.add("card:removed:" + reader)
	m.ch <- CardEvent{Kind: CardRemoved, Reader: reader, At: time.Now()}
}

// fakeCard is the card in one reader of the fake token.
type fakeCard struct {
	holder, serial, pin string
	tries               int
	cert                *x509.Certificate
}

// fakeToken answers like internal/token: 3 tries, *PINError, ErrPINLocked.
type fakeToken struct {
	mu     sync.Mutex
	cards  map[string]*fakeCard
	gate   chan struct{} // when set, Login waits for it
	read   chan struct{} // when set, TriesLeft (the card reading) waits for it
	logins int
	pins   [][]byte // the PIN slices received (to check they were zeroed)
	closed int
	tr     *trace
}

func newCert(holder string) *x509.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: holder},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func (f *fakeToken) put(reader, holder, serial string, tries int) *fakeCard {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeCard{holder: holder, serial: serial, pin: "1234", tries: tries, cert: newCert(holder)}
	f.cards[reader] = c
	return c
}

func (f *fakeToken) card(reader string) (*fakeCard, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cards[reader]
	if !ok {
		return nil, ErrCardRemoved
	}
	return c, nil
}

func (f *fakeToken) TriesLeft(ctx context.Context, reader string) (int, error) {
	f.mu.Lock()
	read := f.read
	f.mu.Unlock()
	if read != nil {
		select {
		case <-read:
		case <-ctx.Done():
			return -1, ctx.Err()
		}
	}
	c, err := f.card(reader)
	if err != nil {
		return -1, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return c.tries, nil
}

func (f *fakeToken) HolderName(ctx context.Context, reader string) (string, error) {
	f.tr.add("token:holder")
	c, err := f.card(reader)
	if err != nil {
		return "", err
	}
	return c.holder, nil
}

// NationalID is the certificate's CN, like internal/cardtoken's (CardIDReader).
func (f *fakeToken) NationalID(ctx context.Context, reader string) (string, error) {
	c, err := f.card(reader)
	if err != nil {
		return "", err
	}
	if c.cert == nil {
		return "", ErrNotFound
	}
	return c.cert.Subject.CommonName, nil
}

func (f *fakeToken) Login(ctx context.Context, reader string, pin []byte) (Credential, error) {
	f.tr.add("token:login")
	f.mu.Lock()
	f.logins++
	f.pins = append(f.pins, pin)
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	c, err := f.card(reader)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.tries == 0 {
		return nil, ErrPINLocked
	}
	if string(pin) != c.pin {
		c.tries--
		if c.tries == 0 {
			return nil, ErrPINLocked
		}
		return nil, &PINError{TriesLeft: c.tries}
	}
	c.tries = 3
	return &fakeCred{tok: f, cert: c.cert}, nil
}

type fakeCred struct {
	tok  *fakeToken
	cert *x509.Certificate
}

func (c *fakeCred) Signer() crypto.Signer          { return nil }
func (c *fakeCred) Certificate() *x509.Certificate { return c.cert }
func (c *fakeCred) Close() error {
	c.tok.mu.Lock()
	c.tok.closed++
	c.tok.mu.Unlock()
	c.tok.tr.add("cred:close")
	return nil
}

// fakeClock fires After channels when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
			continue
		}
		kept = append(kept, t)
	}
	c.timers = kept
}

// memKeys is a KeyStore in memory.
type memKeys struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKeys) Get(key string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (k *memKeys) Set(key, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = value
	return nil
}

func (k *memKeys) Delete(key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}

func (f *fakeToken) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func (f *fakeToken) closedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}
