package agent

import (
	"errors"
	"fmt"
)

// Errors of the card side. cmd/ maps internal/token's errors to these.
var (
	ErrPINIncorrect      = errors.New("pin incorrect")
	ErrPINLocked         = errors.New("pin locked")
	ErrCardRemoved       = errors.New("card removed")
	ErrCardNotResponding = errors.New("card not responding") // a card call passed its deadline
	ErrModuleMissing     = errors.New("pkcs#11 module missing")
	ErrNotFound          = errors.New("not found")
	ErrPINFormat         = errors.New("pin must be 4 digits")
)

// PINError is a wrong PIN with the tries left (-1 when the card does not say).
type PINError struct{ TriesLeft int }

func (e *PINError) Error() string { return fmt.Sprintf("pin incorrect, %d tries left", e.TriesLeft) }

// Unwrap makes errors.Is(err, ErrPINIncorrect) true.
func (e *PINError) Unwrap() error { return ErrPINIncorrect }

// Errors of the flow itself (input checked locally, hooks not wired). Added by the flow engine.
var (
	ErrCardUnknown        = errors.New("card is not a cpx card")
	ErrNotConfigured      = errors.New("not configured")
	ErrPhoneFormat        = errors.New("phone number must be 2 to 20 digits")
	ErrPasswordMismatch   = errors.New("passwords do not match")
	ErrPasswordEmpty      = errors.New("password is empty")
	ErrOTPFormat          = errors.New("one-time code must be 6 digits")
	ErrIdentifiantFormat  = errors.New("identifiant is empty or too long")
	ErrChannelsRequired   = errors.New("an otp channel must be set")
	ErrProfileUnknown     = errors.New("profile not in the list")
	ErrSessionEnded       = errors.New("session ended")
	ErrMissingDependency  = errors.New("engine dependency missing")
	ErrUnsupportedChannel = errors.New("unknown otp channel kind")

	ErrSecretQuestionUnknown = errors.New("secret question not in the list")
	ErrSecretAnswerFormat    = errors.New("secret answer must be 3 to 256 characters")
	ErrSecretAnswerMismatch  = errors.New("secret answers do not match")
	ErrCaptchaEmpty          = errors.New("the arithmetic question is not answered")
)
