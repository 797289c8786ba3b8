package cardtoken

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// Deadlines of the card calls. A PKCS#11 or PC/SC call cannot be cancelled: when a deadline
// passes, the caller gets agent.ErrCardNotResponding and the call is abandoned in its
// goroutine, which releases what it holds when (if) the call returns.
const (
	IdentifyTimeout = 10 * time.Second // open, tries left, certificate, serial
	LoginTimeout    = 25 * time.Second // C_Login (below the engine's 30 s call bound)
	CloseWait       = time.Second      // how long Close waits for idle tokens to close
)

// cardToken is what the port uses of *token.Token (a fake in unit tests).
type cardToken interface {
	TriesLeft() (token.PINTries, error)
	Certificate() (*x509.Certificate, error)
	Info() token.TokenInfo
	Login(pin []byte) (*token.Key, error)
	Close() error
}

// Port is the card's PKCS#11 side as the engine sees it (agent.Token and
// agent.CardSerialReader): one token per reader, opened on first use (single flight) and
// dropped when the card leaves. Its lock is never held across a card call: a card that stops
// answering blocks only the goroutine that called it, never removal handling (Drop),
// shutdown (Close) or another reader.
type Port struct {
	log             *slog.Logger
	open            func(ctx context.Context, reader string) (cardToken, error)
	serial          func(reader string) ([]byte, error)
	identifyTimeout time.Duration
	loginTimeout    time.Duration

	mu      sync.Mutex
	entries map[string]*entry
	closed  bool
}

// entry is one reader's token. Its fields are guarded by Port.mu.
type entry struct {
	ready   chan struct{} // closed when the open finished (tok or err set)
	tok     cardToken
	err     error
	pending int  // card calls in flight, the open included
	stuck   bool // a caller gave up on a call still in flight: fail fast until it returns
	dead    bool // dropped or port closed: the last call in flight closes tok
}

var (
	_ agent.Token            = (*Port)(nil)
	_ agent.CardSerialReader = (*Port)(nil)
	_ agent.CardIDReader     = (*Port)(nil)
)

var (
	// ErrClosed is a call after Close.
	ErrClosed    = errors.New("token port closed")
	errAbandoned = errors.New("card call abandoned by caller") // nobody reads it
)

// Options configure a Port.
type Options struct {
	Modules []string // PKCS#11 modules to try, in order (token.DefaultModules)
	Logger  *slog.Logger
	// IdentifyTimeout and LoginTimeout bound the card calls (0: the constants above).
	IdentifyTimeout, LoginTimeout time.Duration
}

// New returns a port on the PKCS#11 modules of o, reading EF.SN.ICC over PC/SC for Serial.
func New(o Options) *Port {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.IdentifyTimeout <= 0 {
		o.IdentifyTimeout = IdentifyTimeout
	}
	if o.LoginTimeout <= 0 {
		o.LoginTimeout = LoginTimeout
	}
	return &Port{
		log: o.Logger,
		open: func(ctx context.Context, reader string) (cardToken, error) {
			return token.Open(ctx, token.Options{Modules: o.Modules, Reader: reader, Logger: o.Logger})
		},
		serial:          card.ReadSerial,
		identifyTimeout: o.IdentifyTimeout,
		loginTimeout:    o.LoginTimeout,
		entries:         map[string]*entry{},
	}
}

// get returns the reader's token, opening it once for every concurrent caller.
func (p *Port) get(ctx context.Context, reader string) (*entry, error) {
	if err := ctx.Err(); err != nil { // a flow that moved on opens nothing
		return nil, fmt.Errorf("token: %w", err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	e, ok := p.entries[reader]
	if ok && e.stuck {
		p.mu.Unlock()
		return nil, fmt.Errorf("%w: %s: a previous call is still waiting for the card", agent.ErrCardNotResponding, reader)
	}
	if !ok {
		e = &entry{ready: make(chan struct{}), pending: 1}
		p.entries[reader] = e
		go p.opened(reader, e)
	}
	p.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, p.gaveUp(e, reader, "open", ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.err != nil {
		return nil, e.err
	}
	if e.dead {
		return nil, fmt.Errorf("%w: %s", agent.ErrCardRemoved, reader)
	}
	return e, nil
}

// opened runs the open (no lock held) and records its result; a failed or dropped entry is
// forgotten so that the next call opens again.
func (p *Port) opened(reader string, e *entry) {
	t, err := p.open(context.Background(), reader) // shared by every waiter: no caller's ctx
	p.mu.Lock()
	if err != nil {
		e.err = EngineError(err)
		e.dead = true
		if p.entries[reader] == e {
			delete(p.entries, reader)
		}
	} else {
		e.tok = t
	}
	close(e.ready)
	p.mu.Unlock()
	p.done(e)
}

// gaveUp returns the error for a caller that stopped waiting. Past the deadline it marks e
// stuck (its call is still in flight on a card that does not answer). A caller whose flow
// moved on (card pulled, cancelled) says nothing of the card: it may have waited on a call
// that another caller started, so e is left as it is.
func (p *Port) gaveUp(e *entry, reader, op string, cause error) error {
	if errors.Is(cause, context.Canceled) {
		return fmt.Errorf("token %s: %w", op, cause) // the flow moved on: nobody reads this
	}
	p.mu.Lock()
	if e.pending > 0 {
		e.stuck = true
	}
	p.mu.Unlock()
	p.log.Warn("card does not answer; call abandoned", "reader", reader, "op", op)
	return fmt.Errorf("%w: %s: %s: %w", agent.ErrCardNotResponding, reader, op, cause)
}

// done ends one call in flight on e; the last one of a dead entry closes its token.
func (p *Port) done(e *entry) {
	p.mu.Lock()
	e.pending--
	if e.pending == 0 {
		e.stuck = false
	}
	closeNow := e.dead && e.pending == 0 && e.tok != nil
	t := e.tok
	if closeNow {
		e.tok = nil
	}
	p.mu.Unlock()
	if closeNow {
		_ = t.Close()
	}
}

// drop forgets the reader's token (the card left). It never waits on the card: a token with a
// call in flight is closed by that call's goroutine when it returns.
func (p *Port) Drop(reader string) {
	p.mu.Lock()
	e, ok := p.entries[reader]
	if ok {
		delete(p.entries, reader)
		e.dead = true
	}
	p.mu.Unlock()
	if ok {
		p.closeIdle(e)
	}
}

// closeIdle closes e's token in the background when no call is in flight on it.
func (p *Port) closeIdle(e *entry) <-chan struct{} {
	closed := make(chan struct{})
	p.mu.Lock()
	t := e.tok
	idle := e.pending == 0 && t != nil
	if idle {
		e.tok = nil
	}
	p.mu.Unlock()
	if !idle {
		close(closed)
		return closed
	}
	go func() { defer close(closed); _ = t.Close() }() // C_CloseSession may wait on a module lock
	return closed
}

// Close drops every token and refuses further calls. It waits at most CloseWait for the idle
// tokens to close and never for a call stuck on a card.
func (p *Port) Close() {
	p.mu.Lock()
	p.closed = true
	entries := p.entries
	p.entries = map[string]*entry{}
	for _, e := range entries {
		e.dead = true
	}
	p.mu.Unlock()
	deadline := time.After(CloseWait)
	for r, e := range entries {
		select {
		case <-p.closeIdle(e):
		case <-deadline:
			p.log.Warn("card token still closing at exit", "reader", r)
		}
	}
}

// fail maps err and drops the reader's token when the card is gone.
func (p *Port) fail(reader string, e *entry, err error) error {
	mapped := EngineError(err)
	if errors.Is(mapped, agent.ErrCardRemoved) {
		p.mu.Lock()
		mine := p.entries[reader] == e
		p.mu.Unlock()
		if mine {
			p.Drop(reader)
		}
	}
	return mapped
}
