package token

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// ErrNewPINLength means the middleware refused the new PIN's length (CKR_PIN_LEN_RANGE) after
// the old PIN was accepted: OpenSC's PIV driver wants 6 to 8 characters, so a 4-digit CPx PIN
// cannot be changed through it (docs/vcard.md). It wraps ErrPINFormat.
var ErrNewPINLength = fmt.Errorf("%w: the middleware refuses this new pin length", ErrPINFormat)

// newPINLength marks a C_SetPIN length refusal as ErrNewPINLength, keeping the PKCS#11 code.
func newPINLength(err error) error {
	var rv pkcs11.Error
	if errors.As(err, &rv) && rv == pkcs11.CKR_PIN_LEN_RANGE {
		return fmt.Errorf("%w (%w)", ErrNewPINLength, err)
	}
	return err
}

// PUKTries reads what the token tells of the unblock code's tries (the SO PIN's flags:
// CKF_SO_PIN_COUNT_LOW, _FINAL_TRY, _LOCKED), without a PIN. Many middlewares raise none:
// Known is then false and the count is not shown.
func (t *Token) PUKTries() (PINTries, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return PINTries{}, err
	}
	ti, err := t.mod.ctx.GetTokenInfo(t.slot)
	if err != nil {
		return PINTries{}, wrap("C_GetTokenInfo", err)
	}
	return soTriesFromFlags(ti.Flags), nil
}

func soTriesFromFlags(f uint) PINTries {
	var u uint
	if f&pkcs11.CKF_SO_PIN_COUNT_LOW != 0 {
		u |= pkcs11.CKF_USER_PIN_COUNT_LOW
	}
	if f&pkcs11.CKF_SO_PIN_FINAL_TRY != 0 {
		u |= pkcs11.CKF_USER_PIN_FINAL_TRY
	}
	if f&pkcs11.CKF_SO_PIN_LOCKED != 0 {
		u |= pkcs11.CKF_USER_PIN_LOCKED
	}
	return triesFromFlags(u)
}
