package agent

import (
	"errors"
	"fmt"
)

// Errors of the card side. cmd/ maps internal/token's errors to these.
var (
	ErrPINIncorrect  = errors.New("pin incorrect")
	ErrPINLocked     = errors.New("pin locked")
	ErrCardRemoved   = errors.New("card removed")
	ErrModuleMissing = errors.New("pkcs#11 module missing")
	ErrNotFound      = errors.New("not found")
	ErrPINFormat     = errors.New("pin must be 4 digits")
)

// PINError is a wrong PIN with the tries left (-1 when the card does not say).
type PINError struct{ TriesLeft int }

func (e *PINError) Error() string { return fmt.Sprintf("pin incorrect, %d tries left", e.TriesLeft) }

// Unwrap makes errors.Is(err, ErrPINIncorrect) true.
func (e *PINError) Unwrap() error { return ErrPINIncorrect }
