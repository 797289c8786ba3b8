package token

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// Errors of the package, checked with errors.Is. None of them ever carries a PIN or PUK.
var (
	ErrPINIncorrect  = errors.New("token: pin incorrect")
	ErrPINLocked     = errors.New("token: pin locked")
	ErrPINFormat     = errors.New("token: pin format refused (4 digits expected)")
	ErrPUKFormat     = errors.New("token: unblock code must be 8 digits")
	ErrPUKIncorrect  = errors.New("token: unblock code incorrect")
	ErrPUKLocked     = errors.New("token: unblock code locked")
	ErrTokenRemoved  = errors.New("token: card removed")
	ErrModuleMissing = errors.New("token: pkcs#11 module missing")
	ErrNoToken       = errors.New("token: no card in a matching slot")
	ErrNotLoggedIn   = errors.New("token: not logged in")
	ErrKeyNotFound   = errors.New("token: authentication key or certificate not found")
	ErrUnsupported   = errors.New("token: mechanism not supported by the card")
	ErrClosed        = errors.New("token: closed")
)

// PINError is a wrong PIN. TriesLeft is the exact count when the token tells it (1 after
// FINAL_TRY, 0 when locked), -1 otherwise; Tries has the raw flags.
type PINError struct {
	TriesLeft int
	Tries     PINTries
}

func (e *PINError) Error() string {
	if e.TriesLeft < 0 {
		return "token: pin incorrect"
	}
	return fmt.Sprintf("token: pin incorrect, %d tries left", e.TriesLeft)
}

// Unwrap makes errors.Is(err, ErrPINIncorrect) true, and errors.Is(err, ErrPINLocked) too
// when the wrong PIN was the last try.
func (e *PINError) Unwrap() []error {
	if e.TriesLeft == 0 {
		return []error{ErrPINIncorrect, ErrPINLocked}
	}
	return []error{ErrPINIncorrect}
}

// sentinel maps a PKCS#11 return value to the package's error, or nil when none fits.
func sentinel(rv pkcs11.Error) error {
	switch rv {
	case pkcs11.CKR_PIN_INCORRECT:
		return ErrPINIncorrect
	case pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_EXPIRED:
		return ErrPINLocked
	case pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE:
		return ErrPINFormat
	case pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_SESSION_HANDLE_INVALID,
		pkcs11.CKR_SESSION_CLOSED, pkcs11.CKR_SLOT_ID_INVALID:
		return ErrTokenRemoved
	case pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		return ErrNoToken
	case pkcs11.CKR_USER_NOT_LOGGED_IN:
		return ErrNotLoggedIn
	case pkcs11.CKR_MECHANISM_INVALID, pkcs11.CKR_MECHANISM_PARAM_INVALID, pkcs11.CKR_FUNCTION_NOT_SUPPORTED:
		return ErrUnsupported
	}
	return nil
}

// wrap gives err the context op and, for a PKCS#11 return value, the package's sentinel; the
// pkcs11.Error stays reachable with errors.As.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var rv pkcs11.Error
	if errors.As(err, &rv) {
		if s := sentinel(rv); s != nil {
			return fmt.Errorf("%s: %w (%w)", op, s, err)
		}
	}
	return fmt.Errorf("token: %s: %w", op, err)
}

// isRemoved says whether err means the session is gone with the card.
func isRemoved(err error) bool { return errors.Is(err, ErrTokenRemoved) }

// checkDigits returns nil when b is exactly n ASCII digits, else bad. It never echoes b.
func checkDigits(b []byte, n int, bad error) error {
	if len(b) != n {
		return bad
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return bad
		}
	}
	return nil
}
