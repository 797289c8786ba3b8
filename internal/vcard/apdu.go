package vcard

import (
	"errors"
	"fmt"
)

// Status words the card answers.
const (
	swOK                 = 0x9000
	swWrongLength        = 0x6700
	swSecurityNotSatisfy = 0x6982
	swAuthBlocked        = 0x6983
	swConditionsNotMet   = 0x6985
	swWrongData          = 0x6A80
	swFuncNotSupported   = 0x6A81
	swFileNotFound       = 0x6A82
	swIncorrectP1P2      = 0x6A86
	swRefDataNotFound    = 0x6A88
	swWrongP1P2          = 0x6B00
	swInsNotSupported    = 0x6D00
	swClaNotSupported    = 0x6E00
	swTriesLeft          = 0x63C0 // | tries left (0..15)
	swMoreData           = 0x6100 // | bytes available (00 = 256 or more)
)

// errMalformed is returned for a C-APDU whose length bytes do not add up.
var errMalformed = errors.New("malformed apdu")

// command is one parsed C-APDU (ISO 7816-4 cases 1 to 4, short or extended).
type command struct {
	cla, ins, p1, p2 byte
	data             []byte
	ne               int  // expected response length; 0 when absent
	extended         bool // extended length encoding
}

// chained reports whether the command has the ISO chaining bit (more blocks follow).
func (c command) chained() bool { return c.cla&0x10 != 0 }

// parseCommand decodes a C-APDU.
func parseCommand(b []byte) (command, error) {
	if len(b) < 4 {
		return command{}, fmt.Errorf("%w: %d bytes", errMalformed, len(b))
	}
	c := command{cla: b[0], ins: b[1], p1: b[2], p2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2 short
		c.ne = shortLe(body[0])
	case body[0] != 0 || len(body) < 3: // case 3 or 4 short
		lc := int(body[0])
		switch len(body) {
		case 1 + lc:
		case 2 + lc:
			c.ne = shortLe(body[1+lc])
		default:
			return command{}, fmt.Errorf("%w: lc %d with %d body bytes", errMalformed, lc, len(body))
		}
		c.data = body[1 : 1+lc]
	default: // extended: 00 then two bytes
		c.extended = true
		if len(body) == 3 { // case 2 extended
			c.ne = extLe(body[1], body[2])
			break
		}
		lc := int(body[1])<<8 | int(body[2])
		rest := body[3:]
		switch len(rest) {
		case lc:
		case lc + 2:
			c.ne = extLe(rest[lc], rest[lc+1])
		default:
			return command{}, fmt.Errorf("%w: extended lc %d with %d bytes", errMalformed, lc, len(rest))
		}
		if lc == 0 {
			return command{}, fmt.Errorf("%w: extended lc 0", errMalformed)
		}
		c.data = rest[:lc]
	}
	return c, nil
}

func shortLe(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}

func extLe(hi, lo byte) int {
	n := int(hi)<<8 | int(lo)
	if n == 0 {
		return 65536
	}
	return n
}

// response is an R-APDU before encoding.
type response struct {
	data []byte
	sw   uint16
}

func status(sw uint16) response { return response{sw: sw} }

func ok(data []byte) response { return response{data: data, sw: swOK} }

func (r response) bytes() []byte {
	out := make([]byte, 0, len(r.data)+2)
	out = append(out, r.data...)
	return append(out, byte(r.sw>>8), byte(r.sw))
}

// tlv encodes a BER-TLV with a one- or two-byte tag and a definite length.
func tlv(tag uint16, value []byte) []byte {
	var out []byte
	if tag > 0xFF {
		out = append(out, byte(tag>>8))
	}
	out = append(out, byte(tag))
	out = append(out, berLen(len(value))...)
	return append(out, value...)
}

func berLen(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n <= 0xFF:
		return []byte{0x81, byte(n)}
	default:
		return []byte{0x82, byte(n >> 8), byte(n)}
	}
}

// findTLV returns the value of the first element with the given one-byte tag at the top level
// of b, and whether it was found and well-formed.
func findTLV(b []byte, tag byte) ([]byte, bool) {
	for len(b) > 0 {
		t := b[0]
		n, hdr, okLen := readBerLen(b[1:])
		if !okLen || 1+hdr+n > len(b) {
			return nil, false
		}
		v := b[1+hdr : 1+hdr+n]
		if t == tag {
			return v, true
		}
		b = b[1+hdr+n:]
	}
	return nil, false
}

// readBerLen decodes a BER length: value, header bytes used, ok.
func readBerLen(b []byte) (int, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch {
	case b[0] < 0x80:
		return int(b[0]), 1, true
	case b[0] == 0x81 && len(b) >= 2:
		return int(b[1]), 2, true
	case b[0] == 0x82 && len(b) >= 3:
		return int(b[1])<<8 | int(b[2]), 3, true
	}
	return 0, 0, false
}
