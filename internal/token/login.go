package token

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// PIN and PUK lengths of CPx cards.
const (
	PINLength = 4
	PUKLength = 8
)

// pinString hands b to miekg/pkcs11 (which takes strings) without a Go heap copy, so the
// caller's zeroing of b reaches every Go-side copy. b must not change during the call.
func pinString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Login verifies pin with C_Login(CKU_USER), once: it is never retried. pin must be 4 digits
// (checked before the card sees it: a typo burns no try); the caller zeroes it afterwards.
// A wrong PIN gives a *PINError (errors.Is ErrPINIncorrect) with the tries left read from the
// token flags right after the failure. The Key returned signs until the card is removed, the
// Key or Token is closed, or another Login replaces it.
func (t *Token) Login(pin []byte) (*Key, error) {
	if err := checkDigits(pin, PINLength, ErrPINFormat); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return nil, err
	}
	if t.logged {
		// C_Login on a logged-in token answers CKR_USER_ALREADY_LOGGED_IN without checking
		// the PIN: log out so this PIN is really verified.
		_ = t.mod.ctx.Logout(t.sess)
		t.logged = false
		t.gen++
	}
	if err := t.mod.ctx.Login(t.sess, pkcs11.CKU_USER, pinString(pin)); err != nil {
		return nil, t.pinFailureLocked("C_Login", err)
	}
	t.logged, t.pinOK = true, true
	k, err := t.keyLocked()
	if err != nil {
		t.dropLogin()
		return nil, err
	}
	t.log.Info("pkcs11 login", "module", t.mod.path, "token", t.info.Label, "pss", k.pss)
	return k, nil
}

// pinFailureLocked maps a failed PIN operation; a wrong PIN gets the tries left.
func (t *Token) pinFailureLocked(op string, err error) error {
	t.pinOK = false
	err = t.failLocked(op, err)
	if !errors.Is(err, ErrPINIncorrect) {
		return err
	}
	tries, terr := t.triesLocked()
	if terr != nil {
		return &PINError{TriesLeft: -1, Tries: PINTries{Left: -1}}
	}
	return &PINError{TriesLeft: tries.Count(), Tries: tries}
}

// dropLogin logs out (keeping the session) and ends the Keys of this login.
func (t *Token) dropLogin() {
	if t.logged && t.hasSess {
		_ = t.mod.ctx.Logout(t.sess)
	}
	t.logged = false
	t.gen++
}

// ChangePIN changes the user PIN: C_Login(CKU_USER, old) then C_SetPIN(old, new) in that
// logged-in session, then logout. Logging in first matters: with OpenSC's
// user_pin_unblock_style = set_pin_in_unlogged_session, C_SetPIN in a session that is not
// logged in is an unblock taking old as the PUK. A wrong old PIN fails at C_Login (one try,
// never retried) and C_SetPIN is not called. Both must be 4 digits; the caller zeroes them.
// Keys of an earlier Login end.
func (t *Token) ChangePIN(old, new []byte) error {
	if err := checkDigits(old, PINLength, ErrPINFormat); err != nil {
		return err
	}
	if err := checkDigits(new, PINLength, ErrPINFormat); err != nil {
		return fmt.Errorf("new pin: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return err
	}
	t.dropLogin()
	if err := t.mod.ctx.Login(t.sess, pkcs11.CKU_USER, pinString(old)); err != nil {
		return t.pinFailureLocked("C_Login", err)
	}
	t.logged, t.pinOK = true, true
	err := t.mod.ctx.SetPIN(t.sess, pinString(old), pinString(new))
	t.dropLogin()
	if err != nil {
		return newPINLength(t.pinFailureLocked("C_SetPIN", err))
	}
	t.log.Info("pkcs11 pin changed", "module", t.mod.path, "token", t.info.Label)
	return nil
}
