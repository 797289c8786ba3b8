package agent

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
)

// Card self-service (CPS Gestion parity): change the PIN of the card in the reader, or unblock
// a blocked card with its unblock code (PUK, 8 digits, from the card's letter) and a new PIN.
// Each secret goes to the card once — never retried — and is zeroed after use.

// CardAdmin is an optional extension of Token (cmd/ implements it over internal/token).
type CardAdmin interface {
	// ChangePIN checks old (one try) then sets new. Errors: *PINError, ErrPINLocked,
	// ErrPINFormat, ErrNewPINLength.
	ChangePIN(ctx context.Context, reader string, old, new []byte) error
	// Unblock sets new with the PUK. Errors: *PUKError, ErrPUKLocked, ErrPUKFormat,
	// ErrUnblockUnsupported.
	Unblock(ctx context.Context, reader string, puk, new []byte) error
}

// Errors of the card self-service.
var (
	ErrPINConfirm         = errors.New("the two new pins differ")
	ErrNewPINLength       = errors.New("the card's middleware refuses a 4-digit new pin")
	ErrPUKIncorrect       = errors.New("unblock code incorrect")
	ErrPUKLocked          = errors.New("unblock code locked")
	ErrPUKFormat          = errors.New("unblock code must be 8 digits")
	ErrUnblockUnsupported = errors.New("the card's middleware cannot unblock")
)

// PUKError is a wrong unblock code with its tries left (-1 when the token does not say).
type PUKError struct{ TriesLeft int }

func (e *PUKError) Error() string {
	return fmt.Sprintf("unblock code incorrect, %d tries left", e.TriesLeft)
}

// Unwrap makes errors.Is(err, ErrPUKIncorrect) true.
func (e *PUKError) Unwrap() error { return ErrPUKIncorrect }

type (
	OpenCardPINChange struct{} // « Modifier mon code PIN » (PIN screen, banner menu of a card session)
	OpenCardUnblock   struct{} // « Débloquer ma carte » (blocked card screen)
	// SubmitCardPINChange: current PIN, new PIN twice (zeroed by the engine).
	SubmitCardPINChange struct{ Old, New, Confirm []byte }
	// SubmitCardUnblock: the PUK and the new PIN twice (zeroed by the engine).
	SubmitCardUnblock struct{ PUK, New, Confirm []byte }
)

func (OpenCardPINChange) intent()   {}
func (OpenCardUnblock) intent()     {}
func (SubmitCardPINChange) intent() {}
func (SubmitCardUnblock) intent()   {}

// openCardAdmin shows step for the card in the reader, remembering where to come back.
func (e *Engine) openCardAdmin(step Step) {
	r := &e.run
	r.from = r.s.Step
	e.to(step)
	if _, ok := e.d.Token.(CardAdmin); !ok {
		e.fail(ErrNotConfigured)
		return
	}
	e.publish()
}

// cardAdminBack leaves a card self-service step for where it was opened from.
func (e *Engine) cardAdminBack(notice string) {
	r := &e.run
	switch {
	case r.token != "" && r.s.Step == StepCardPINChange && r.from == StepSignedIn:
		e.signedIn()
	case r.s.Step == StepCardUnblock && notice == "":
		e.to(StepCardBlocked)
	default:
		e.to(StepPIN)
		r.s.TriesLeft = -1
		if notice != "" {
			r.s.TriesLeft = 3 // a changed or unblocked PIN has its full counter
		}
	}
	r.s.Notice = notice
	e.publish()
}

func (e *Engine) submitCardAdmin(first, pin, confirm []byte, unblock bool) {
	r := &e.run
	defer clear(confirm)
	pinOK := len(pin) == 4 && isDigits(pin)
	switch {
	case unblock && (len(first) != 8 || !isDigits(first)):
		clear(first)
		clear(pin)
		e.fail(ErrPUKFormat)
		return
	case !unblock && (len(first) != 4 || !isDigits(first)), !pinOK:
		clear(first)
		clear(pin)
		e.fail(ErrPINFormat)
		return
	case subtle.ConstantTimeCompare(pin, confirm) != 1:
		clear(first)
		clear(pin)
		e.fail(ErrPINConfirm)
		return
	}
	admin, reader := e.d.Token.(CardAdmin), r.reader
	label, notice := BusyPINChanging, NoticePINChanged
	if unblock {
		label, notice = BusyCardUnblocking, NoticeCardUnblocked
	}
	e.start(label, func(ctx context.Context) func() {
		var err error
		if unblock {
			err = admin.Unblock(ctx, reader, first, pin)
		} else {
			err = admin.ChangePIN(ctx, reader, first, pin)
		}
		clear(first)
		clear(pin)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			e.cardAdminBack(notice)
		}
	})
	e.publish()
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
