package vcard

import (
	"bytes"
	"log/slog"
)

// applet answers C-APDUs: the card's file system (EF.SN.ICC) and the PIV application. It is
// not safe for concurrent use: the transport calls it from one goroutine.
type applet struct {
	st  *state
	log *slog.Logger

	pinVerified bool // PIV PIN (key reference 80) security status
	pukVerified bool // PUK (81): lets RESET RETRY COUNTER P1=02 set a new PIN
	current     uint16

	// Command chaining (CLA bit 0x10): data of the blocks received so far.
	chainHdr  [3]byte // ins, p1, p2 of the chain
	chainData []byte
	chaining  bool

	// Response data not yet read with GET RESPONSE, and the status word that ends it.
	pending   []byte
	pendingSW uint16
}

func newApplet(st *state, log *slog.Logger) *applet {
	return &applet{st: st, log: log}
}

// reset forgets every volatile state: power off, power on, warm reset, removal.
func (a *applet) reset() {
	a.pinVerified, a.pukVerified = false, false
	a.current = 0
	a.chaining, a.chainData = false, nil
	a.pending = nil
}

// transmit answers one C-APDU with data‖SW1SW2.
func (a *applet) transmit(raw []byte) []byte {
	c, err := parseCommand(raw)
	if err != nil {
		a.log.Debug("vcard: bad apdu", "err", err)
		return status(swWrongLength).bytes()
	}
	if c.cla&^0x13 != 0 { // only the chaining bit and logical channel bits are accepted
		return status(swClaNotSupported).bytes()
	}
	if c.ins != 0xC0 {
		a.pending = nil
	}
	if c.ins == 0xC0 {
		return a.getResponse(c).bytes()
	}
	full, done := a.chain(c)
	if !done {
		return status(swOK).bytes()
	}
	return a.fit(full, a.dispatch(full)).bytes()
}

// chain accumulates chained blocks; done is false while more blocks are expected.
func (a *applet) chain(c command) (command, bool) {
	hdr := [3]byte{c.ins, c.p1, c.p2}
	if a.chaining && a.chainHdr != hdr {
		a.chaining, a.chainData = false, nil // a different command breaks the chain
	}
	if c.chained() {
		if len(a.chainData)+len(c.data) > 64*1024 {
			a.chaining, a.chainData = false, nil
			return c, true // dispatch sees a partial command and refuses it
		}
		a.chainHdr, a.chaining = hdr, true
		a.chainData = append(a.chainData, c.data...)
		return c, false
	}
	if a.chaining {
		c.data = append(a.chainData, c.data...)
		a.chaining, a.chainData = false, nil
	}
	return c, true
}

func (a *applet) dispatch(c command) response {
	if c.chained() {
		return status(swWrongLength)
	}
	switch c.ins {
	case 0xA4:
		return a.selectFile(c)
	case 0xB0:
		return a.readBinary(c)
	case 0xCB:
		return a.getData(c)
	case 0x20:
		return a.verify(c)
	case 0x24:
		return a.changeReference(c)
	case 0x2C:
		return a.resetRetryCounter(c)
	case 0x87:
		return a.generalAuthenticate(c)
	}
	return status(swInsNotSupported)
}

// fit cuts a long answer to what the command may receive and keeps the rest for GET RESPONSE.
func (a *applet) fit(c command, r response) response {
	limit := c.ne
	if limit == 0 {
		limit = 256 // no Le: answer like a T=1 card that always returns its data
		if c.extended {
			limit = 65536
		}
	}
	if len(r.data) <= limit {
		return r
	}
	a.pending, a.pendingSW = bytes.Clone(r.data[limit:]), r.sw
	return response{data: r.data[:limit], sw: moreData(len(a.pending))}
}

func moreData(n int) uint16 {
	if n >= 256 {
		return swMoreData
	}
	return swMoreData | uint16(n)
}

func (a *applet) getResponse(c command) response {
	if c.p1 != 0 || c.p2 != 0 {
		return status(swIncorrectP1P2)
	}
	if len(a.pending) == 0 {
		return status(swConditionsNotMet)
	}
	n := c.ne
	if n == 0 {
		n = 256
	}
	if n >= len(a.pending) {
		out := response{data: a.pending, sw: a.pendingSW}
		a.pending = nil
		return out
	}
	out := a.pending[:n]
	a.pending = a.pending[n:]
	return response{data: out, sw: moreData(len(a.pending))}
}
