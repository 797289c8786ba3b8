package vcard

import "bytes"

// File identifiers of the card's small ISO file system.
const (
	fidMF    = 0x3F00
	fidSNICC = 0xD003 // EF.SN.ICC: the 12-byte card serial
)

// pivAID is the PIV application identifier (NIST SP 800-73-4), version 01 00 appended by
// some hosts.
var pivAID = []byte{0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00}

// selectFile handles SELECT. Selecting a file never disturbs the PIV application: hosts such
// as OpenSC keep talking PIV after another program read EF.SN.ICC.
func (a *applet) selectFile(c command) response {
	if c.p1 == 0x04 {
		return a.selectAID(c)
	}
	fid, found := a.resolvePath(c.p1, c.data)
	if !found {
		return status(swFileNotFound)
	}
	a.current = fid
	if c.p2&0x0C == 0x0C {
		return status(swOK)
	}
	return ok(a.fcp(fid))
}

// resolvePath maps SELECT P1 and data to a file of the card.
func (a *applet) resolvePath(p1 byte, data []byte) (uint16, bool) {
	var fids []uint16
	if len(data)%2 != 0 {
		return 0, false
	}
	for i := 0; i < len(data); i += 2 {
		fids = append(fids, uint16(data[i])<<8|uint16(data[i+1]))
	}
	switch p1 {
	case 0x00: // by FID (MF when empty)
		if len(fids) == 0 {
			return fidMF, true
		}
		if len(fids) == 1 && (fids[0] == fidMF || fids[0] == fidSNICC) {
			return fids[0], true
		}
	case 0x02: // EF under the current DF
		if len(fids) == 1 && fids[0] == fidSNICC {
			return fidSNICC, true
		}
	case 0x08, 0x09: // path from the MF (without 3F00) or from the current DF
		if len(fids) > 0 && fids[0] == fidMF {
			fids = fids[1:]
		}
		if len(fids) == 0 {
			return fidMF, true
		}
		if len(fids) == 1 && fids[0] == fidSNICC {
			return fidSNICC, true
		}
	}
	return 0, false
}

// fcp is the file control parameters template of fid.
func (a *applet) fcp(fid uint16) []byte {
	var body []byte
	if fid == fidSNICC {
		body = append(body, tlv(0x80, []byte{0x00, byte(len(a.st.serial))})...)
		body = append(body, tlv(0x82, []byte{0x01})...) // transparent working EF
	} else {
		body = append(body, tlv(0x82, []byte{0x38})...) // DF
	}
	body = append(body, tlv(0x83, []byte{byte(fid >> 8), byte(fid)})...)
	return tlv(0x62, body)
}

func (a *applet) readBinary(c command) response {
	if c.p1&0x80 != 0 {
		return status(swFuncNotSupported) // short EF identifiers are not supported
	}
	if a.current != fidSNICC {
		return status(0x6986) // no current EF
	}
	off := int(c.p1)<<8 | int(c.p2)
	if off > len(a.st.serial) {
		return status(swWrongP1P2)
	}
	n := c.ne
	if n == 0 || off+n > len(a.st.serial) {
		n = len(a.st.serial) - off
	}
	return ok(bytes.Clone(a.st.serial[off : off+n]))
}

// selectAID selects the PIV application (full or truncated AID); any other AID is unknown.
func (a *applet) selectAID(c command) response {
	if len(c.data) < 5 || !bytes.HasPrefix(pivAID, c.data) && !bytes.HasPrefix(c.data, pivAID) {
		return status(swFileNotFound)
	}
	if c.p2&0x0C == 0x0C {
		return status(swOK)
	}
	return ok(pivAPT())
}

// pivAPT is the application property template answered to SELECT PIV.
func pivAPT() []byte {
	var body []byte
	body = append(body, tlv(0x4F, []byte{0x00, 0x00, 0x10, 0x00, 0x01, 0x00})...) // PIX + version
	body = append(body, tlv(0x79, tlv(0x4F, pivAID[:5]))...)                      // coexistent tag allocation authority
	body = append(body, tlv(0x50, []byte("CPx virtual card"))...)
	alg := append(tlv(0x80, []byte{0x07}), tlv(0x06, nil)...) // RSA-2048
	body = append(body, tlv(0xAC, alg)...)
	return tlv(0x61, body)
}
