package vcard

import (
	"crypto/rsa"
	"errors"
	"math/big"
)

// PIV data object tags (NIST SP 800-73-4 part 1, table 3) the card holds.
const (
	tagDiscovery   = 0x7E
	tagCHUID       = 0x5FC102
	tagCertPIVAuth = 0x5FC105 // certificate of key 9A
	tagPrintedInfo = 0x5FC109 // PIN-protected: lets OpenSC read the login state
)

// testFASCN is a FASC-N with agency code 9999 ("not a federal card"): OpenSC then uses the
// GUID as the token serial number.
var testFASCN = []byte{0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73, 0x9D, 0x83,
	0x68, 0x58, 0x21, 0x08, 0x42, 0x10, 0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB}

// getData handles GET DATA (00 CB 3F FF, data 5C <tag>).
func (a *applet) getData(c command) response {
	if c.p1 != 0x3F || c.p2 != 0xFF {
		return status(swIncorrectP1P2)
	}
	ref, found := findTLV(c.data, 0x5C)
	if !found || len(ref) == 0 || len(ref) > 3 {
		return status(swWrongData)
	}
	tag := 0
	for _, b := range ref {
		tag = tag<<8 | int(b)
	}
	switch tag {
	case tagDiscovery:
		return ok(discovery())
	case tagCHUID:
		return ok(a.chuid())
	case tagCertPIVAuth:
		return ok(a.certContainer())
	case tagPrintedInfo:
		if !a.pinVerified {
			return status(swSecurityNotSatisfy)
		}
		return ok(a.printedInfo())
	}
	return status(swFileNotFound)
}

// discovery is the discovery object: PIV AID and PIN usage policy "PIV PIN only".
func discovery() []byte {
	body := append(tlv(0x4F, append(append([]byte{}, pivAID...), 0x01, 0x00)), tlv(0x5F2F, []byte{0x40, 0x00})...)
	return tlv(tagDiscovery, body)
}

// guid is the CHUID GUID: serial[0:4] ‖ 00000000 ‖ serial[4:12]. OpenSC 0.23 shows the last
// 8 bytes of the GUID (16 hex digits) as the PKCS#11 token serial: they are the last 8 bytes
// of EF.SN.ICC, so a token can be matched to the card's serial.
func (a *applet) guid() []byte {
	g := make([]byte, 16)
	copy(g, a.st.serial[:4])
	copy(g[8:], a.st.serial[4:])
	return g
}

func (a *applet) chuid() []byte {
	var body []byte
	body = append(body, tlv(0x30, testFASCN)...)
	body = append(body, tlv(0x34, a.guid())...)
	body = append(body, tlv(0x35, []byte(a.st.cert.NotAfter.UTC().Format("20060102")))...)
	body = append(body, tlv(0x3E, nil)...) // issuer asymmetric signature: unsigned test card
	body = append(body, tlv(0xFE, nil)...)
	return tlv(0x53, body)
}

func (a *applet) certContainer() []byte {
	var body []byte
	body = append(body, tlv(0x70, a.st.cert.Raw)...)
	body = append(body, tlv(0x71, []byte{0x00})...) // not compressed
	body = append(body, tlv(0xFE, nil)...)
	return tlv(0x53, body)
}

func (a *applet) printedInfo() []byte {
	name := []byte(a.st.cert.Subject.CommonName)
	if len(name) > 125 {
		name = name[:125]
	}
	return tlv(0x53, append(tlv(0x01, name), tlv(0xFE, nil)...))
}

// generalAuthenticate handles GENERAL AUTHENTICATE with key 9A and algorithm 07 (RSA-2048):
// template 7C {82 00, 81 <256-byte block>} → 7C {82 <raw RSA private operation>}. The host
// pads (PKCS#1 v1.5 or PSS); the card only exponentiates, and only after a PIN VERIFY.
func (a *applet) generalAuthenticate(c command) response {
	if c.p2 != 0x9A {
		return status(swRefDataNotFound)
	}
	if c.p1 != 0x07 {
		return status(swIncorrectP1P2)
	}
	if !a.pinVerified {
		return status(swSecurityNotSatisfy)
	}
	tmpl, found := findTLV(c.data, 0x7C)
	if !found {
		return status(swWrongData)
	}
	challenge, found := findTLV(tmpl, 0x81)
	if _, resp := findTLV(tmpl, 0x82); !found || !resp {
		return status(swWrongData)
	}
	sig, err := rawPrivate(a.st.key, challenge)
	if err != nil {
		a.log.Debug("vcard: general authenticate refused", "err", err)
		return status(swWrongData)
	}
	return ok(tlv(0x7C, tlv(0x82, sig)))
}

var errBlock = errors.New("input block is not a residue of the modulus")

// rawPrivate computes in^d mod n (with CRT) and returns it left-padded to the modulus size.
// It checks the result with the public exponent so a fault never leaves the card.
func rawPrivate(key *rsa.PrivateKey, in []byte) ([]byte, error) {
	k := (key.N.BitLen() + 7) / 8
	m := new(big.Int).SetBytes(in)
	if len(in) != k || m.Cmp(key.N) >= 0 {
		return nil, errBlock
	}
	if len(key.Primes) != 2 {
		s := new(big.Int).Exp(m, key.D, key.N)
		return s.FillBytes(make([]byte, k)), nil
	}
	p, q := key.Primes[0], key.Primes[1]
	pre := key.Precomputed
	if pre.Dp == nil || pre.Dq == nil || pre.Qinv == nil {
		key.Precompute()
		pre = key.Precomputed
	}
	m1 := new(big.Int).Exp(m, pre.Dp, p)
	m2 := new(big.Int).Exp(m, pre.Dq, q)
	h := new(big.Int).Sub(m1, m2)
	h.Mul(h, pre.Qinv).Mod(h, p)
	s := h.Mul(h, q).Add(h, m2)
	if new(big.Int).Exp(s, big.NewInt(int64(key.E)), key.N).Cmp(m) != 0 {
		return nil, errors.New("rsa private operation failed its check")
	}
	return s.FillBytes(make([]byte, k)), nil
}
