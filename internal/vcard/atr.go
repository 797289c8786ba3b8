package vcard

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cpx-agent/cpx-agent/drivers"
)

// cps4ATR is the ATR of a CPS4 contact card (drivers/atr.tsv "cps4"). OpenSC does not know it,
// so its drivers probe the card and the PIV driver answers; a CPS3 ATR would be claimed by
// OpenSC's IAS-ECC driver, which the virtual card does not speak.
var cps4ATR = []byte{0x3B, 0x9B, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x04, 0x01, 0x00, 0x00, 0x90, 0x44}

// DefaultATR returns the CPS4 contact ATR the card answers by default.
func DefaultATR() []byte { return append([]byte(nil), cps4ATR...) }

// ErrBadATR is returned for an ATR that is neither a known name nor valid hex.
var ErrBadATR = errors.New("vcard: bad ATR")

// ParseATR accepts a name of the ATR table (drivers/atr.tsv: cps4, cps3, cps4-t0 …) or an ATR
// in hex (spaces and colons allowed).
func ParseATR(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if e, found := drivers.ATRByName(strings.ToLower(s)); found {
		return e.ATR, nil
	}
	clean := strings.NewReplacer(" ", "", ":", "").Replace(s)
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is neither a name of the ATR table nor hex", ErrBadATR, s)
	}
	if len(b) < 2 || len(b) > 33 || (b[0] != 0x3B && b[0] != 0x3F) {
		return nil, fmt.Errorf("%w: %d bytes starting %02X (want 2-33 bytes starting 3B or 3F)", ErrBadATR, len(b), firstByte(b))
	}
	return b, nil
}

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
