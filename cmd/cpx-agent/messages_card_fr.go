package main

import (
	"errors"
	"fmt"

	"github.com/cpx-agent/cpx-agent/internal/token"
)

// French sentences of the card self-service commands (card pin change, card unblock).

const (
	codePINMismatch   = "pin_mismatch"
	codeNewPINLength  = "new_pin_length"
	codePUKIncorrect  = "puk_incorrect"
	codePUKLocked     = "puk_locked"
	codePUKFormat     = "puk_format"
	codeUnblockNotSup = "unblock_unsupported"
)

// pukTriesErr is a wrong PUK with the unblock code's tries the token told.
type pukTriesErr struct {
	err  error
	left int
}

func (e *pukTriesErr) Error() string { return e.err.Error() }
func (e *pukTriesErr) Unwrap() error { return e.err }

func isPUKIncorrect(err error) bool { return errors.Is(err, token.ErrPUKIncorrect) }

// describeCardAdmin covers the errors of changing and unblocking the PIN; it runs before the
// PIN sentences of describeCard (a wrong PUK is not a wrong PIN).
func describeCardAdmin(err error) (cliError, bool) {
	switch {
	case errors.Is(err, token.ErrNewPINLength):
		return cliError{Code: codeNewPINLength, exit: exitUsage, Message: "Le code PIN actuel est correct, mais le " +
			"logiciel de la carte refuse un nouveau code PIN de 4 chiffres (le pilote PIV d'OpenSC en exige 6 à 8) : " +
			"le code PIN n'a pas été changé. Changez-le avec CPS Gestion (Cryptolib CPS)."}, true
	case errors.Is(err, token.ErrPUKFormat):
		return cliError{Code: codePUKFormat, exit: exitUsage,
			Message: "Le code de déblocage (PUK) comporte 8 chiffres ; il figure sur le courrier de votre carte. Rien n'a été envoyé à la carte."}, true
	case errors.Is(err, token.ErrPUKLocked):
		return cliError{Code: codePUKLocked, exit: exitCardLocked,
			Message: "Code de déblocage (PUK) bloqué : la carte ne peut plus être débloquée. Commandez une nouvelle carte auprès de l'ANS."}, true
	case errors.Is(err, token.ErrPUKIncorrect):
		e := cliError{Code: codePUKIncorrect, exit: exitRefused, Message: "Code de déblocage (PUK) incorrect."}
		if pt, ok := errors.AsType[*pukTriesErr](err); ok {
			n := pt.left
			e.TriesLeft = &n
			e.Message += fmt.Sprintf(" Il vous reste %d essai(s) avant le blocage définitif de la carte.", n)
		}
		return e, true
	case errors.Is(err, token.ErrUnsupported):
		return cliError{Code: codeUnblockNotSup, exit: exitError,
			Message: "Le logiciel de la carte ne sait pas la débloquer : utilisez CPS Gestion (Cryptolib CPS)."}, true
	}
	return cliError{}, false
}
