// The card flow's PIN step: the PIN checked locally, verified once on the card, and the
// card sign-in with the key it unlocks.

package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// validPIN: a CPx PIN is 4 digits. Checked before the card sees it, so no try is burnt.
func validPIN(pin []byte) bool {
	if len(pin) != 4 {
		return false
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (e *Engine) submitPIN(pin []byte) {
	r := &e.run
	if r.s.Step != StepPIN || r.s.Busy {
		clear(pin)
		return
	}
	if !validPIN(pin) {
		clear(pin)
		r.s.Err = ErrPINFormat
		e.publish()
		return
	}
	if r.s.Reading { // sent as soon as the card reading ends (identified)
		r.queuedPIN = pin
		r.s.Busy, r.s.BusyLabel, r.s.Err = true, BusyPINChecking, nil
		e.publish()
		return
	}
	reader, tok := r.reader, e.d.Token
	e.startFull(BusyPINChecking, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		cred, err := tok.Login(ctx, reader, pin) // verified once, never retried
		clear(pin)
		release := func() {
			if cred != nil {
				_ = cred.Close()
			}
		}
		return func() { e.loggedIn(cred, err) }, release
	})
	e.publish()
}

func (e *Engine) loggedIn(cred Credential, err error) {
	r := &e.run
	var pe *PINError
	switch {
	case errors.As(err, &pe):
		left := pe.TriesLeft
		if left < 0 && r.s.TriesLeft > 0 {
			left = r.s.TriesLeft - 1
		}
		if left == 0 {
			e.to(StepCardBlocked)
			r.s.Err, r.s.TriesLeft = ErrPINLocked, 0
		} else {
			r.s.Err, r.s.TriesLeft = err, left
		}
		e.publish()
		return
	case errors.Is(err, ErrPINLocked):
		e.to(StepCardBlocked)
		r.s.Err, r.s.TriesLeft = err, 0
		e.publish()
		return
	case errors.Is(err, ErrCardRemoved):
		e.cardGone(err)
		return
	case err != nil:
		e.fail(err)
		return
	}
	id := r.pending
	if cert := cred.Certificate(); cert != nil {
		sum := sha256.Sum256(cert.Raw)
		id.CertFP = hex.EncodeToString(sum[:])
	}
	if r.lock != nil {
		e.resume(cred, id)
		return
	}
	e.signInCard(cred, id)
}

// signInCard signs in to the portal over mutual TLS with the card's key.
func (e *Engine) signInCard(cred Credential, id identity) {
	e.to(StepSigningIn)
	p, ws := e.d.Portal, e.cfg.Workstation
	e.startFull(BusySigningIn, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		si, err := p.SignInCard(ctx, cred.Signer(), cred.Certificate(), ws)
		_ = cred.Close() // the session token carries on; the card key is not needed any more
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			e.beginSession(si, id)
		}, func() { e.signOutStale(si, err) }
	})
	e.publish()
}

// signOutStale signs out a session whose sign-in finished after the flow moved on.
func (e *Engine) signOutStale(si api.SignIn, err error) {
	if err == nil && si.Token != "" {
		e.signOutAsync(si.Token)
	}
}
