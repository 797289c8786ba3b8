// The card flow: reader events, the card read without a PIN (holder, tries left), removal
// (pin.go: the PIN and the card sign-in).

package agent

import (
	"context"
	"errors"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func (e *Engine) onCard(ev CardEvent) {
	r := &e.run
	switch ev.Kind {
	case CardInserted:
		r.cards[ev.Reader] = ev
		e.cardInserted(ev)
	case CardRemoved, ReaderRemoved:
		if _, ok := r.cards[ev.Reader]; !ok {
			return
		}
		delete(r.cards, ev.Reader)
		e.cardRemoved(ev.Reader)
	case MonitorDown:
		r.s.Notice = NoticeMonitorDown
		e.publish()
	}
}

// cardInserted starts the card flow unless another flow owns the screen.
func (e *Engine) cardInserted(ev CardEvent) {
	r := &e.run
	if r.reader != "" && r.reader != ev.Reader {
		return // the flow follows the first card; a second reader is ignored
	}
	if r.token != "" && r.s.Step != StepLocked {
		return // signed in (by OTP or Pro Santé Connect, or mid-way): a card changes nothing
	}
	if r.s.Busy && r.reader == "" {
		return // an OTP or Pro Santé Connect call is in flight
	}
	e.identify(ev)
}

// identify shows the PIN screen at once and reads the card without a PIN (tries left,
// holder, serial) in the background: an operator starts typing while PKCS#11 opens the
// token. A PIN submitted before the reading ends waits for it (see submitPIN), so that a
// blocked card never sees it.
func (e *Engine) identify(ev CardEvent) {
	r := &e.run
	e.newFlow()
	e.clearOTP()
	r.reader = ev.Reader
	r.s.Card = &CardView{Reader: ev.Reader, Family: ev.Family, Generation: ev.Generation}
	r.s.TriesLeft = -1
	if !ev.Known {
		e.to(StepCardUnknown)
		r.s.Err = ErrCardUnknown
		e.publish()
		return
	}
	e.to(StepPIN)
	r.s.Reading = true
	reader, tok := ev.Reader, e.d.Token
	e.startFull("", e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		id, tries, err := readCard(ctx, tok, reader)
		return func() {
			if e.run.s.Step == StepPIN && e.run.s.Reading { // not left by to() meanwhile
				e.identified(id, tries, err)
			}
		}, nil
	})
	e.publish()
}

// readCard reads the card without a PIN: tries left, holder, serial. It stops at the first
// call after ctx ends (the card was pulled, the flow moved on): nothing more goes to a card
// that another flow may be reading already.
func readCard(ctx context.Context, tok Token, reader string) (identity, int, error) {
	var id identity
	tries, terr := tok.TriesLeft(ctx, reader)
	if ctx.Err() != nil {
		return id, tries, ctx.Err()
	}
	name, nerr := tok.HolderName(ctx, reader)
	id.Holder = name
	if sr, ok := tok.(CardSerialReader); ok && ctx.Err() == nil {
		id.Serial, _ = sr.Serial(ctx, reader) // optional: the holder name is the fallback
	}
	return id, tries, errors.Join(terr, nerr)
}

// identified applies the card reading: blocked card, error, or the tries left and holder on
// the PIN screen; then the PIN typed meanwhile, if any, goes to the card.
func (e *Engine) identified(id identity, tries int, err error) {
	r := &e.run
	pin := r.queuedPIN
	r.queuedPIN = nil
	r.stopReading()
	c := *r.s.Card
	c.HolderName, c.Serial = id.Holder, id.Serial
	r.s.Card = &c
	switch {
	case errors.Is(err, ErrPINLocked) || (err == nil && tries == 0):
		clear(pin)
		e.to(StepCardBlocked)
		r.s.Err, r.s.TriesLeft = ErrPINLocked, 0
		e.publish()
		return
	case errors.Is(err, ErrCardRemoved):
		clear(pin)
		e.cardGone(err)
		return
	case err != nil:
		clear(pin)
		e.to(StepCardPresent)
		r.s.Err = err
		e.publish()
		return
	}
	r.s.TriesLeft = tries
	if r.lock != nil && !r.lock.sameCard(id) {
		e.endSession(true)
		r.s.Notice = NoticePreviousUserSignedOut
	}
	r.pending = id
	if pin != nil {
		r.s.Busy, r.s.BusyLabel = false, ""
		e.submitPIN(pin)
		return
	}
	e.publish()
}

// cardGone: the card left during a call, before the monitor said so: back to the lock screen
// (a locked session) or home, showing err.
func (e *Engine) cardGone(err error) {
	if e.run.lock != nil {
		e.to(StepLocked)
	} else {
		e.to(StepWaitingCard)
	}
	e.run.s.Err = err
	e.publish()
}

// cardRemoved reacts at once: the locked (or signed-out) snapshot goes out before any other
// work, then in-flight calls are discarded.
func (e *Engine) cardRemoved(reader string) {
	r := &e.run
	if reader != r.reader {
		return
	}
	r.reader = ""
	cardSession := r.token != "" && r.method == api.MethodCard
	switch {
	case r.lock != nil || r.s.Step == StepLocked:
		e.to(StepLocked)
		r.s.Card = nil
		e.publish()
		e.newFlow()
	case cardSession && e.cfg.RemovalPolicy == RemovalLock:
		e.to(StepLocked)
		r.s.Card = nil
		e.publish()
		e.newFlow()
		lock := r.id
		r.lock = &lock
	case cardSession:
		e.to(StepWaitingCard)
		r.s.Card, r.s.Session, r.s.TimeLeft = nil, nil, 0
		r.s.Notice = NoticeSignedOutCardRemoved
		e.publish()
		e.newFlow()
		e.endSession(true)
	case isCardStep(r.s.Step):
		interrupted := r.s.Busy || r.s.Step == StepSigningIn
		e.to(StepWaitingCard)
		r.s.Card = nil
		if interrupted {
			r.s.Err = ErrCardRemoved
		}
		e.publish()
		e.newFlow()
	default: // OTP or Pro Santé Connect path: the card was not in use
		r.s.Card = nil
		e.publish()
	}
}

func isCardStep(s Step) bool {
	switch s {
	case StepCardPresent, StepCardUnknown, StepPIN, StepCardBlocked, StepSigningIn, StepECPS,
		StepCardPINChange, StepCardUnblock:
		return true
	}
	return false
}
