package testrig

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// CardTimeout bounds the wait for pcscd to see a card arrive or leave (it polls vpcd about
// every 400 ms).
const CardTimeout = 10 * time.Second

// Card is a virtual card started by StartCard, inserted in Reader.
type Card struct {
	*vcard.Card
	Port     int
	Reader   string
	StateDir string
	Holder   *pki.Issued // certificate and key on the card
}

// Option changes how StartCard makes the card.
type Option func(*cardConfig)

type cardConfig struct {
	atr      []byte
	stateDir string
	pin, puk string
	issued   *pki.Issued
	logger   *slog.Logger
	removed  bool
	tweak    func(*vcard.Config)
}

// WithATR makes the card answer atr (default: CPS4 contact).
func WithATR(atr []byte) Option { return func(c *cardConfig) { c.atr = atr } }

// WithStateDir keeps the card's state in dir (default: a fresh temporary directory), e.g. to
// restart a card with its try counters.
func WithStateDir(dir string) Option { return func(c *cardConfig) { c.stateDir = dir } }

// WithPIN sets the PIN and PUK of a new card (default vcard.DefaultPIN, vcard.DefaultPUK).
func WithPIN(pin, puk string) Option { return func(c *cardConfig) { c.pin, c.puk = pin, puk } }

// WithIssued puts this certificate and key on the card instead of a demo holder's.
func WithIssued(is *pki.Issued) Option { return func(c *cardConfig) { c.issued = is } }

// WithLogger sets the card's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *cardConfig) { c.logger = l } }

// WithVCardConfig lets f adjust the card's vcard.Config last (e.g. NoQuickAck).
func WithVCardConfig(f func(*vcard.Config)) Option { return func(c *cardConfig) { c.tweak = f } }

// Removed starts the card without inserting it.
func Removed() Option { return func(c *cardConfig) { c.removed = true } }

// SharedPKI returns the test PKI shared by every card of this process.
func SharedPKI(t testing.TB) *pki.PKI {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatalf("test pki: %v", err)
	}
	return p
}

var holders struct {
	mu sync.Mutex
	m  map[string]*pki.Issued
}

// DemoHolder returns the certificate and key of a demo holder ("cps", "cpe", "cpe2",
// "adeli"), issued once per process by SharedPKI.
func DemoHolder(t testing.TB, name string) *pki.Issued {
	t.Helper()
	h, found := pki.DemoHolders()[name]
	if !found {
		t.Fatalf("unknown demo holder %q (want one of %v)", name, pki.DemoKeys())
	}
	p := SharedPKI(t)
	holders.mu.Lock()
	defer holders.mu.Unlock()
	if is := holders.m[name]; is != nil {
		return is
	}
	is, err := p.Issue(h)
	if err != nil {
		t.Fatalf("issue demo holder %s: %v", name, err)
	}
	if holders.m == nil {
		holders.m = map[string]*pki.Issued{}
	}
	holders.m[name] = is
	return is
}

// StartCard starts an in-process virtual card of a demo holder on vpcd port, inserts it and
// waits until pcscd sees it in ReaderForPort(port). It holds LockPort(port) and closes
// (removes) the card when the test ends; two StartCard on one port in one test deadlock.
func StartCard(t testing.TB, port int, holder string, opts ...Option) *Card {
	t.Helper()
	RequirePCSCD(t)
	LockPort(t, port)
	cfg := cardConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.issued == nil {
		cfg.issued = DemoHolder(t, holder)
	}
	if cfg.stateDir == "" {
		cfg.stateDir = t.TempDir()
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	vcfg := vcard.Config{
		StateDir: cfg.stateDir, Port: port, ATR: cfg.atr, Cert: cfg.issued.Cert, Key: cfg.issued.Key,
		PIN: cfg.pin, PUK: cfg.puk, Logger: cfg.logger,
	}
	if cfg.tweak != nil {
		cfg.tweak(&vcfg)
	}
	vc, err := vcard.New(vcfg)
	if err != nil {
		t.Fatalf("start card on port %d: %v", port, err)
	}
	c := &Card{Card: vc, Port: port, Reader: ReaderForPort(port), StateDir: cfg.stateDir, Holder: cfg.issued}
	// pcscd notices a removal only at its next poll: wait for the reader to be empty, both
	// before inserting (the previous card of this port may have just left) and after closing
	// (so the next test does not see this card as still present).
	if err := waitReader(c.Reader, false, CardTimeout); err != nil {
		t.Fatalf("reader %q is not empty before starting a card on port %d (another card on this port?): %v", c.Reader, port, err)
	}
	t.Cleanup(func() {
		c.Close()
		if err := waitReader(c.Reader, false, CardTimeout); err != nil {
			t.Errorf("reader %q still shows a card after closing it: %v", c.Reader, err)
		}
	})
	if !cfg.removed {
		c.InsertAndWait(t)
	}
	return c
}

// InsertAndWait inserts the card and waits until pcscd reports it present.
func (c *Card) InsertAndWait(t testing.TB) {
	t.Helper()
	if err := c.Insert(); err != nil {
		t.Fatalf("insert card on port %d: %v", c.Port, err)
	}
	if err := waitReader(c.Reader, true, CardTimeout); err != nil {
		hint := ""
		if !c.Connected() {
			hint = fmt.Sprintf(" (vpcd at %s does not accept the card: is pcscd running with the rig's readers?)", c.Addr())
		} else {
			hint = " (is another card already connected to this port? one card per reader)"
		}
		t.Fatalf("card on port %d not seen in reader %q: %v%s", c.Port, c.Reader, err, hint)
	}
}

// RemoveAndWait removes the card and waits until pcscd reports the reader empty.
func (c *Card) RemoveAndWait(t testing.TB) {
	t.Helper()
	if err := c.Remove(); err != nil {
		t.Fatalf("remove card on port %d: %v", c.Port, err)
	}
	WaitReader(t, c.Reader, false, CardTimeout)
}
