package vcard

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// DefaultPort is the TCP port of Debian's first vpcd reader ("Virtual PCD 00 00").
const DefaultPort = 35963

// redialDelay is the pause between two dials of vpcd while the card is inserted.
const redialDelay = 150 * time.Millisecond

// ErrClosed is returned by Insert after Close.
var ErrClosed = errors.New("vcard: card closed")

// Config describes a card.
type Config struct {
	StateDir string            // required: where the card keeps its state (created 0700)
	Host     string            // vpcd host (default 127.0.0.1)
	Port     int               // vpcd port (default DefaultPort)
	ATR      []byte            // default DefaultATR()
	Cert     *x509.Certificate // holder certificate, used when StateDir holds no card yet
	Key      *rsa.PrivateKey   // its RSA-2048 key
	PIN, PUK string            // first secrets of a new card (default DefaultPIN, DefaultPUK)
	Logger   *slog.Logger      // default slog.Default()
	OnEvent  func(Event)       // called from the card's goroutine on every change
	// NoQuickAck leaves delayed ACKs on (benchmarks compare; never needed otherwise).
	NoQuickAck bool
	// Stall, when set, is asked about every APDU: true makes the card stop answering (that APDU
	// and every frame after it) until the connection ends, as a card that hangs. Tests only.
	Stall func(apdu []byte) bool
}

// Event is a change the card reports.
type Event string

// Events.
const (
	EventInserted     Event = "inserted"     // Insert called: the card dials vpcd
	EventConnected    Event = "connected"    // vpcd accepted the connection: the reader sees a card
	EventPowerOn      Event = "power-on"     // the reader powered the card
	EventPowerOff     Event = "power-off"    // the reader powered it off
	EventReset        Event = "reset"        // warm reset
	EventDisconnected Event = "disconnected" // the connection ended
	EventRemoved      Event = "removed"      // Remove called: the reader is empty
)

// Card is a virtual CPx card. Its methods are safe for concurrent use.
type Card struct {
	atr    []byte
	addr   string
	log    *slog.Logger
	onEv   func(Event)
	ack    func(net.Conn)
	st     *state
	applet *applet // used by the serving goroutine only
	stall  staller // used by the serving goroutine only

	mu        sync.Mutex
	cancel    context.CancelFunc // non-nil while inserted
	done      chan struct{}
	conn      net.Conn
	connected bool
	closed    bool
}

// New loads the card kept in cfg.StateDir, or creates it there from cfg.Cert and cfg.Key.
// The card starts removed: call Insert.
func New(cfg Config) (*Card, error) {
	if cfg.StateDir == "" {
		return nil, fmt.Errorf("new card: %w: state directory required", ErrBadState)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := loadState(cfg.StateDir)
	if errors.Is(err, ErrNoState) {
		pin, puk := cfg.PIN, cfg.PUK
		if pin == "" {
			pin = DefaultPIN
		}
		if puk == "" {
			puk = DefaultPUK
		}
		st, err = initState(cfg.StateDir, cfg.Cert, cfg.Key, pin, puk)
	}
	if err != nil {
		return nil, fmt.Errorf("new card: %w", err)
	}
	atr := cfg.ATR
	if len(atr) == 0 {
		atr = DefaultATR()
	}
	host, port := cfg.Host, cfg.Port
	if host == "" {
		host = "127.0.0.1"
	}
	if port == 0 {
		port = DefaultPort
	}
	c := &Card{atr: bytes.Clone(atr), addr: net.JoinHostPort(host, strconv.Itoa(port)), log: log, onEv: cfg.OnEvent, st: st}
	c.applet = newApplet(st, log)
	c.stall.ask = cfg.Stall
	c.ack = quickAck
	if cfg.NoQuickAck {
		c.ack = func(net.Conn) {}
	}
	return c, nil
}

// Serial returns the card's EF.SN.ICC (12 bytes).
func (c *Card) Serial() []byte { return bytes.Clone(c.st.serial) }

// Certificate returns the holder certificate of key 9A.
func (c *Card) Certificate() *x509.Certificate { return c.st.cert }

// ATR returns the ATR the card answers.
func (c *Card) ATR() []byte { return bytes.Clone(c.atr) }

// Addr returns the vpcd address the card dials.
func (c *Card) Addr() string { return c.addr }

// Inserted reports whether the card is inserted (it keeps dialing vpcd).
func (c *Card) Inserted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancel != nil
}

// Connected reports whether vpcd currently holds the card's connection.
func (c *Card) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected
}

// Insert puts the card in its reader: it dials vpcd and redials whenever the connection
// drops, until Remove. Inserting an inserted card does nothing.
func (c *Card) Insert() error {
	c.mu.Lock()
	if c.closed || c.cancel != nil {
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return ErrClosed
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.done = cancel, make(chan struct{})
	done := c.done
	c.mu.Unlock()
	c.emit(EventInserted)
	go c.run(ctx, done)
	return nil
}

// Remove takes the card out: the connection is closed, which vpcd reports as a removal, and
// the security status is lost. Removing a removed card does nothing.
func (c *Card) Remove() error {
	c.mu.Lock()
	cancel, done, conn := c.cancel, c.done, c.conn
	c.cancel = nil
	c.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	if conn != nil {
		conn.Close()
	}
	<-done
	c.emit(EventRemoved)
	return nil
}

// Close removes the card for good.
func (c *Card) Close() error {
	err := c.Remove()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return err
}

func (c *Card) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	d := net.Dialer{Timeout: 2 * time.Second}
	for ctx.Err() == nil {
		conn, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			c.log.Debug("vcard: vpcd not reachable", "addr", c.addr, "err", err)
			sleep(ctx, redialDelay)
			continue
		}
		if !c.attach(ctx, conn) {
			conn.Close()
			return
		}
		c.emit(EventConnected)
		err = c.serve(conn)
		c.detach(conn)
		c.applet.reset()
		c.emit(EventDisconnected)
		if ctx.Err() == nil {
			c.log.Info("vcard: vpcd connection lost, redialing", "addr", c.addr, "err", err)
			sleep(ctx, redialDelay)
		}
	}
}

// attach records conn unless the card was removed meanwhile.
func (c *Card) attach(ctx context.Context, conn net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	c.conn, c.connected = conn, true
	c.applet.reset()
	return true
}

func (c *Card) detach(conn net.Conn) {
	conn.Close()
	c.mu.Lock()
	c.conn, c.connected = nil, false
	c.mu.Unlock()
}

func (c *Card) emit(e Event) {
	c.log.Debug("vcard: event", "event", string(e), "addr", c.addr)
	if c.onEv != nil {
		c.onEv(e)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
