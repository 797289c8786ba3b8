package card

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// SerialLen is the length of EF.SN.ICC on CPx cards.
const SerialLen = 12

// APDUs reading EF.SN.ICC (3F00/D003): SELECT MF, SELECT the EF under it, READ BINARY 12.
// P2=0C asks for no FCI, which both IAS-ECC (CPS3) and ChipDoc (CPS4) accept.
var (
	apduSelectMF     = []byte{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00}
	apduSelectSNICC  = []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0xD0, 0x03}
	apduReadSerial   = []byte{0x00, 0xB0, 0x00, 0x00, SerialLen}
	swOK             = [2]byte{0x90, 0x00}
	swFileNotFound   = [2]byte{0x6A, 0x82}
	swWrongLength    = byte(0x6C) // 6Cxx: repeat with Le = xx (T=0 cards)
	swBytesAvailable = byte(0x61) // 61xx: GET RESPONSE for xx bytes (T=0 cards)
)

// ReadSerial reads the 12-byte card serial (EF.SN.ICC) of the card in reader.
//
// It connects in SCARD_SHARE_SHARED (never exclusive: the PKCS#11 middleware may hold a
// session on the same card), inside a transaction so no other program's APDUs interleave with
// the SELECTs, and leaves the card as found (SCARD_LEAVE_CARD: no reset, which would log
// the PKCS#11 session out).
func ReadSerial(reader string) ([]byte, error) {
	ctx, err := scard.EstablishContext()
	if err != nil {
		return nil, fmt.Errorf("read serial: establish context: %w", mapErr(err))
	}
	defer ctx.Release()
	c, err := ctx.Connect(reader, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		return nil, fmt.Errorf("read serial: connect to %q: %w", reader, mapErr(err))
	}
	defer c.Disconnect(scard.LeaveCard)
	if err := c.BeginTransaction(); err != nil {
		return nil, fmt.Errorf("read serial: begin transaction: %w", mapErr(err))
	}
	defer c.EndTransaction(scard.LeaveCard)
	for _, apdu := range [][]byte{apduSelectMF, apduSelectSNICC} {
		if _, err := transmit(c, apdu); err != nil {
			return nil, fmt.Errorf("read serial: select %X: %w", apdu[5:], err)
		}
	}
	data, err := transmit(c, apduReadSerial)
	if err != nil {
		return nil, fmt.Errorf("read serial: read binary: %w", err)
	}
	if len(data) != SerialLen {
		return nil, fmt.Errorf("read serial: %d bytes instead of %d: %w", len(data), SerialLen, ErrNoSerial)
	}
	return data, nil
}

// transmit sends apdu and returns the response data when the status is 9000, following
// 61xx (GET RESPONSE) and 6Cxx (wrong Le) as T=0 cards require.
func transmit(c *scard.Card, apdu []byte) ([]byte, error) {
	var data []byte
	for range 8 { // bounded: a misbehaving card cannot keep us looping
		rsp, err := c.Transmit(apdu)
		if err != nil {
			return nil, mapErr(err)
		}
		if len(rsp) < 2 {
			return nil, fmt.Errorf("response of %d bytes: %w", len(rsp), ErrCardMute)
		}
		body, sw := rsp[:len(rsp)-2], [2]byte{rsp[len(rsp)-2], rsp[len(rsp)-1]}
		data = append(data, body...)
		switch {
		case sw == swOK:
			return data, nil
		case sw == swFileNotFound:
			return nil, fmt.Errorf("status %X: %w", sw, ErrNoSerial)
		case sw[0] == swBytesAvailable:
			apdu = []byte{0x00, 0xC0, 0x00, 0x00, sw[1]}
		case sw[0] == swWrongLength && len(apdu) == 5:
			apdu = append(apdu[:4:4], sw[1])
			data = nil
		default:
			return nil, fmt.Errorf("status %X: %w", sw, errStatus)
		}
	}
	return nil, fmt.Errorf("too many response chunks: %w", errStatus)
}

var errStatus = errors.New("card refused the command")
