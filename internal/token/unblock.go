package token

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// Unblock sets a new user PIN with the unblock code (PUK). puk must be 8 digits, newPIN 4;
// the caller zeroes both afterwards. A wrong PUK gives ErrPUKIncorrect, a blocked one
// ErrPUKLocked; a middleware that cannot unblock, ErrUnsupported. Keys of an earlier Login end.
//
// The PKCS#11 way is C_Login(CKU_SO, puk) then C_InitPIN(newPIN) (Cryptolib CPS; OpenSC with
// user_pin_unblock_style = init_pin_in_so_session). OpenSC's other styles answer C_InitPIN
// with CKR_FUNCTION_NOT_SUPPORTED; with set_pin_in_unlogged_session the unblock is
// C_SetPIN(puk, newPIN) in a session that is not logged in. That call is made only when the
// token reports the PIN locked: with a PIN that is not locked, a middleware of another style
// would take it as a PIN change and burn a PIN try with the PUK, while a locked PIN cannot
// lose a try.
func (t *Token) Unblock(puk, newPIN []byte) error {
	if err := checkDigits(puk, PUKLength, ErrPUKFormat); err != nil {
		return err
	}
	if err := checkDigits(newPIN, PINLength, ErrPINFormat); err != nil {
		return fmt.Errorf("new pin: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return err
	}
	t.dropLogin()
	if err := t.mod.ctx.Login(t.sess, pkcs11.CKU_SO, pinString(puk)); err != nil {
		return pukError(t.failLocked("C_Login(SO)", err))
	}
	t.logged = true
	err := t.mod.ctx.InitPIN(t.sess, pinString(newPIN))
	t.dropLogin()
	if err != nil {
		err = pukError(t.failLocked("C_InitPIN", err))
		if !errors.Is(err, ErrUnsupported) {
			return err
		}
		if err = t.unblockUnloggedLocked(puk, newPIN, err); err != nil {
			return err
		}
	}
	t.pinOK = true
	t.log.Info("pkcs11 pin unblocked", "module", t.mod.path, "token", t.info.Label)
	return nil
}

// unblockUnloggedLocked is OpenSC's set_pin_in_unlogged_session unblock, tried only on a
// locked PIN (see Unblock). initErr is C_InitPIN's refusal, returned when this is not tried.
func (t *Token) unblockUnloggedLocked(puk, newPIN []byte, initErr error) error {
	tries, err := t.triesLocked()
	if err != nil {
		return err
	}
	if !tries.Locked {
		return fmt.Errorf("unblock: the pin is not locked and %w", initErr)
	}
	err = t.mod.ctx.SetPIN(t.sess, pinString(puk), pinString(newPIN))
	if err == nil {
		return nil
	}
	err = t.failLocked("C_SetPIN(unblock)", err)
	switch {
	case errors.Is(err, ErrPINIncorrect):
		return fmt.Errorf("unblock: %w", ErrPUKIncorrect)
	case errors.Is(err, ErrPINLocked), errors.Is(err, ErrPINFormat):
		// The middleware took the call as a PIN change (of a locked PIN, or to a PIN its card
		// driver finds too short): it cannot unblock this way. Only the code is kept, so the
		// PIN sentinels do not leak into an unblock error.
		var rv pkcs11.Error
		errors.As(err, &rv)
		return fmt.Errorf("unblock: %w: the middleware refused C_InitPIN and C_SetPIN (%v)", ErrUnsupported, rv)
	}
	return err
}

// pukError turns PIN errors of an SO login into PUK errors.
func pukError(err error) error {
	switch {
	case errors.Is(err, ErrPINIncorrect):
		// OpenSC may check the PUK only when it unblocks (C_InitPIN).
		return fmt.Errorf("unblock: %w", ErrPUKIncorrect)
	case errors.Is(err, ErrPINLocked):
		return fmt.Errorf("unblock: %w", ErrPUKLocked)
	}
	return err
}
