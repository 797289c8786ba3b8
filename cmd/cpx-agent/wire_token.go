package main

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// Deadlines of the card calls. A PKCS#11 or PC/SC call cannot be cancelled: when a deadline
// passes, the caller gets agent.ErrCardNotResponding and the call is abandoned in its
// goroutine, which releases what it holds when (if) the call returns.
const (
	identifyTimeout = 10 * time.Second // open, tries left, certificate, serial
	loginTimeout    = 25 * time.Second // C_Login (below the engine's 30 s call bound)
	closeWait       = time.Second      // how long Close waits for idle tokens to close
)

// cardToken is what the port uses of *token.Token (a fake in unit tests).
type cardToken interface {
	TriesLeft() (token.PINTries, error)
	Certificate() (*x509.Certificate, error)
	Info() token.TokenInfo
	Login(pin []byte) (*token.Key, error)
	Close() error
}

// tokenPort adapts internal/token to agent.Token: one token per reader, opened on first use
// (single flight) and dropped when the card leaves. Its lock is never held across a card call:
// a card that stops answering blocks only the goroutine that called it, never removal
// handling (drop), shutdown (Close) or another reader.
type tokenPort struct {
	log             *slog.Logger
	open            func(ctx context.Context, reader string) (cardToken, error)
	serial          func(reader string) ([]byte, error)
	identifyTimeout time.Duration
	loginTimeout    time.Duration

	mu      sync.Mutex
	entries map[string]*tokenEntry
	closed  bool
}

// tokenEntry is one reader's token. Its fields are guarded by tokenPort.mu.
type tokenEntry struct {
	ready   chan struct{} // closed when the open finished (tok or err set)
	tok     cardToken
	err     error
	pending int  // card calls in flight, the open included
	stuck   bool // a caller gave up on a call still in flight: fail fast until it returns
	dead    bool // dropped or port closed: the last call in flight closes tok
}

var (
	_ agent.Token            = (*tokenPort)(nil)
	_ agent.CardSerialReader = (*tokenPort)(nil)
)

var (
	errPortClosed = errors.New("token port closed")             // a call after Close
	errAbandoned  = errors.New("card call abandoned by caller") // nobody reads it
)

func newTokenPort(modules []string, log *slog.Logger) *tokenPort {
	return &tokenPort{
		log: log,
		open: func(ctx context.Context, reader string) (cardToken, error) {
			return token.Open(ctx, token.Options{Modules: modules, Reader: reader, Logger: log})
		},
		serial:          card.ReadSerial,
		identifyTimeout: identifyTimeout,
		loginTimeout:    loginTimeout,
		entries:         map[string]*tokenEntry{},
	}
}

// get returns the reader's token, opening it once for every concurrent caller.
func (p *tokenPort) get(ctx context.Context, reader string) (*tokenEntry, error) {
	if err := ctx.Err(); err != nil { // a flow that moved on opens nothing
		return nil, fmt.Errorf("token: %w", err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errPortClosed
	}
	e, ok := p.entries[reader]
	if ok && e.stuck {
		p.mu.Unlock()
		return nil, fmt.Errorf("%w: %s: a previous call is still waiting for the card", agent.ErrCardNotResponding, reader)
	}
	if !ok {
		e = &tokenEntry{ready: make(chan struct{}), pending: 1}
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
func (p *tokenPort) opened(reader string, e *tokenEntry) {
	t, err := p.open(context.Background(), reader) // shared by every waiter: no caller's ctx
	p.mu.Lock()
	if err != nil {
		e.err = tokenErr(err)
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

// call runs fn on the reader's token in its own goroutine and waits for it until ctx or the
// deadline ends. late receives fn's result when the caller is gone (to release it).
func call[T any](ctx context.Context, p *tokenPort, reader, op string, deadline time.Duration,
	fn func(cardToken) (T, error), late func(T)) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	e, err := p.get(ctx, reader)
	if err != nil {
		return zero, err
	}
	p.mu.Lock()
	if e.dead {
		p.mu.Unlock()
		return zero, fmt.Errorf("%w: %s", agent.ErrCardRemoved, reader)
	}
	e.pending++
	p.mu.Unlock()
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	var mu sync.Mutex
	abandoned := false
	go func() {
		v, err := fn(e.tok)
		mu.Lock()
		if abandoned {
			mu.Unlock()
			if err == nil && late != nil {
				late(v)
			}
		} else {
			ch <- result{v, err}
			mu.Unlock()
		}
		p.done(e)
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		mu.Lock()
		select {
		case r = <-ch: // finished at the same time: use it
			mu.Unlock()
		default:
			abandoned = true
			mu.Unlock()
			return zero, p.gaveUp(e, reader, op, ctx.Err())
		}
	}
	if r.err != nil {
		return zero, p.fail(reader, e, r.err)
	}
	return r.v, nil
}

// gaveUp returns the error for a caller that stopped waiting. Past the deadline it marks e
// stuck (its call is still in flight on a card that does not answer). A caller whose flow
// moved on (card pulled, cancelled) says nothing of the card: it may have waited on a call
// that another caller started, so e is left as it is.
func (p *tokenPort) gaveUp(e *tokenEntry, reader, op string, cause error) error {
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
func (p *tokenPort) done(e *tokenEntry) {
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
func (p *tokenPort) drop(reader string) {
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
func (p *tokenPort) closeIdle(e *tokenEntry) <-chan struct{} {
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

// Close drops every token and refuses further calls. It waits at most closeWait for the idle
// tokens to close and never for a call stuck on a card.
func (p *tokenPort) Close() {
	p.mu.Lock()
	p.closed = true
	entries := p.entries
	p.entries = map[string]*tokenEntry{}
	for _, e := range entries {
		e.dead = true
	}
	p.mu.Unlock()
	deadline := time.After(closeWait)
	for r, e := range entries {
		select {
		case <-p.closeIdle(e):
		case <-deadline:
			p.log.Warn("card token still closing at exit", "reader", r)
		}
	}
}

// fail maps err and drops the reader's token when the card is gone.
func (p *tokenPort) fail(reader string, e *tokenEntry, err error) error {
	mapped := tokenErr(err)
	if errors.Is(mapped, agent.ErrCardRemoved) {
		p.mu.Lock()
		mine := p.entries[reader] == e
		p.mu.Unlock()
		if mine {
			p.drop(reader)
		}
	}
	return mapped
}

// TriesLeft: PKCS#11 flags mapped onto the CPx 3-try counter (exact at 1 and 0).
func (p *tokenPort) TriesLeft(ctx context.Context, reader string) (int, error) {
	return call(ctx, p, reader, "tries left", p.identifyTimeout, func(t cardToken) (int, error) {
		tr, err := t.TriesLeft()
		if err != nil {
			return -1, err
		}
		return tr.Estimate(3), nil
	}, nil)
}

func (p *tokenPort) HolderName(ctx context.Context, reader string) (string, error) {
	cert, err := call(ctx, p, reader, "certificate", p.identifyTimeout, func(t cardToken) (*x509.Certificate, error) {
		return t.Certificate()
	}, nil)
	if err != nil {
		return "", err
	}
	id, err := cps.FromCertificate(cert)
	if err != nil {
		return cert.Subject.CommonName, nil // a test or foreign card: its CN
	}
	return id.DisplayName(), nil
}

// Serial is EF.SN.ICC read over PC/SC, or the PKCS#11 token serial when the card has none.
func (p *tokenPort) Serial(ctx context.Context, reader string) (string, error) {
	p.mu.Lock()
	e, ok := p.entries[reader]
	stuck := ok && e.stuck
	p.mu.Unlock()
	if stuck { // the reader is busy with a stuck call: a PC/SC read would wait on it too
		return "", fmt.Errorf("%w: %s", agent.ErrCardNotResponding, reader)
	}
	ctx, cancel := context.WithTimeout(ctx, p.identifyTimeout)
	defer cancel()
	ch := make(chan []byte, 1)
	go func() {
		sn, err := p.serial(reader)
		if err != nil {
			sn = nil
		}
		ch <- sn
	}()
	select {
	case sn := <-ch:
		if sn != nil {
			return hex.EncodeToString(sn), nil
		}
	case <-ctx.Done():
		return "", fmt.Errorf("%w: %s: serial: %w", agent.ErrCardNotResponding, reader, ctx.Err())
	}
	return call(ctx, p, reader, "serial", p.identifyTimeout, func(t cardToken) (string, error) {
		return t.Info().Serial, nil
	}, nil)
}

// Login verifies the PIN once; the engine zeroes pin afterwards, so the call works on its own
// copy. Whoever claims the copy first owns it: the call (which then clears it after C_Login) or
// a caller that gave up before the call started (which clears it, and C_Login never runs, so no
// try is spent on a PIN the operator was told failed).
func (p *tokenPort) Login(ctx context.Context, reader string, pin []byte) (agent.Credential, error) {
	own := append([]byte(nil), pin...)
	var claimed atomic.Bool
	k, err := call(ctx, p, reader, "login", p.loginTimeout, func(t cardToken) (*token.Key, error) {
		if !claimed.CompareAndSwap(false, true) {
			return nil, errAbandoned
		}
		defer clear(own)
		return t.Login(own)
	}, func(k *token.Key) { _ = k.Close() })
	if claimed.CompareAndSwap(false, true) {
		clear(own)
	}
	if err != nil {
		return nil, err
	}
	return credential{k}, nil
}
