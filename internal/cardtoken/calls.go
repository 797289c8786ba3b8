package cardtoken

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// call runs fn on the reader's token in its own goroutine and waits for it until ctx or the
// deadline ends. late receives fn's result when the caller is gone (to release it).
func call[T any](ctx context.Context, p *Port, reader, op string, deadline time.Duration,
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

// TriesLeft: PKCS#11 flags mapped onto the CPx 3-try counter (exact at 1 and 0).
func (p *Port) TriesLeft(ctx context.Context, reader string) (int, error) {
	return call(ctx, p, reader, "tries left", p.identifyTimeout, func(t cardToken) (int, error) {
		tr, err := t.TriesLeft()
		if err != nil {
			return -1, err
		}
		return tr.Estimate(3), nil
	}, nil)
}

func (p *Port) HolderName(ctx context.Context, reader string) (string, error) {
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

// NationalID reads the holder's national id (the authentication certificate's CN: "8"+RPPS,
// a staff id with a slash …) without a PIN, for the Pro Santé Connect screen (agent.CardIDReader).
func (p *Port) NationalID(ctx context.Context, reader string) (string, error) {
	cert, err := call(ctx, p, reader, "certificate", p.identifyTimeout, func(t cardToken) (*x509.Certificate, error) {
		return t.Certificate()
	}, nil)
	if err != nil {
		return "", err
	}
	id, err := cps.FromCertificate(cert)
	if err != nil {
		return "", err
	}
	return id.NationalID, nil
}

// Serial is EF.SN.ICC read over PC/SC, or the PKCS#11 token serial when the card has none.
func (p *Port) Serial(ctx context.Context, reader string) (string, error) {
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
func (p *Port) Login(ctx context.Context, reader string, pin []byte) (agent.Credential, error) {
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
