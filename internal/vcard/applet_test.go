package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"testing"
)

const selectPIV = "00A4040009A0000003080000100000"

func TestSelectPIV(t *testing.T) {
	a := newTestApplet(t)
	data, sw := tx(t, a, selectPIV)
	wantSW(t, "select PIV", sw, swOK)
	tmpl, found := findTLV(data, 0x61)
	if !found {
		t.Fatalf("select answer %X has no 61 template", data)
	}
	if pix, _ := findTLV(tmpl, 0x4F); !bytes.Equal(pix, mustHex(t, "000010000100")) {
		t.Fatalf("PIX %X", pix)
	}
	_, sw = tx(t, a, "00A404000DE828BD080F8025000001FF001000")
	wantSW(t, "select CPx IAS AID", sw, swFileNotFound)
}

func TestGetDataObjects(t *testing.T) {
	a := newTestApplet(t)
	tx(t, a, selectPIV)
	data, sw := tx(t, a, "00CB3FFF055C035FC10500")
	wantSW(t, "get cert", sw, swMoreData) // the certificate exceeds 256 bytes
	for sw&0xFF00 == swMoreData {
		var more []byte
		more, sw = tx(t, a, "00C0000000")
		data = append(data, more...)
	}
	wantSW(t, "get response", sw, swOK)
	body, _ := findTLV(data, 0x53)
	der, found := findTLV(body, 0x70)
	if !found {
		t.Fatalf("no 70 tag in %X…", data[:16])
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil || !cert.Equal(testHolder(t).Cert) {
		t.Fatalf("certificate from the card: %v", err)
	}

	data, sw = tx(t, a, "00CB3FFF055C035FC10200")
	wantSW(t, "get CHUID", sw, swOK)
	body, _ = findTLV(data, 0x53)
	guid, _ := findTLV(body, 0x34)
	if len(guid) != 16 || !bytes.Equal(guid[8:], a.st.serial[4:]) {
		t.Fatalf("GUID %X does not end with the serial's last 8 bytes %X", guid, a.st.serial[4:])
	}

	data, sw = tx(t, a, "00CB3FFF035C017E00")
	wantSW(t, "get discovery", sw, swOK)
	if !bytes.Contains(data, pivAID) {
		t.Fatalf("discovery %X lacks the PIV AID", data)
	}
	_, sw = tx(t, a, "00CB3FFF055C035FC10A00")
	wantSW(t, "get absent signature cert", sw, swFileNotFound)
	_, sw = tx(t, a, "00CB3FFF055C035FC10900")
	wantSW(t, "printed info before PIN", sw, swSecurityNotSatisfy)
}

func TestSerialDoesNotDisturbPIV(t *testing.T) {
	a := newTestApplet(t)
	tx(t, a, selectPIV)
	tx(t, a, "0020008008"+pad8("1234"))
	for _, path := range [][]string{
		{"00A4000C023F00", "00A4020C02D003"},
		{"00A40000023F00", "00A4000002D003"},
		{"00A4080C02D003"},
	} {
		for _, s := range path {
			_, sw := tx(t, a, s)
			wantSW(t, s, sw, swOK)
		}
		data, sw := tx(t, a, "00B000000C")
		wantSW(t, "read EF.SN.ICC", sw, swOK)
		if len(data) != 12 || !bytes.HasPrefix(data, []byte{0x80, 0x25, 0x00, 0x00, 0x01}) {
			t.Fatalf("serial %X", data)
		}
	}
	_, sw := tx(t, a, "00A4020C02D004")
	wantSW(t, "select absent EF", sw, swFileNotFound)
	// The PIV application and the PIN status are still there.
	_, sw = tx(t, a, "00200080")
	wantSW(t, "PIN status after reading the serial", sw, swOK)
	_, sw = tx(t, a, "00CB3FFF035C017E00")
	wantSW(t, "discovery after reading the serial", sw, swOK)
}

func TestPINBlockAndUnblock(t *testing.T) {
	a := newTestApplet(t)
	steps := []struct {
		apdu string
		sw   uint16
	}{
		{"00200080", 0x63C3},
		{"0020008008" + pad8("0000"), 0x63C2},
		{"0020008008" + pad8("1234"), swOK}, // a right PIN restores the counter
		{"00200080", swOK},
		{"0020008008" + pad8("0000"), 0x63C2},
		{"0020008008" + pad8("1111"), 0x63C1},
		{"0020008008" + pad8("2222"), swAuthBlocked},
		{"0020008008" + pad8("1234"), swAuthBlocked},
		{"00200080", swAuthBlocked},
		{"0020008008" + pad8("12a4"), swWrongData},                                     // malformed: no try used
		{"002C008010" + hex.EncodeToString([]byte("87654321")) + pad8("4321"), 0x63C9}, // wrong PUK
		{"002C008010" + hex.EncodeToString([]byte("12345678")) + pad8("4321"), swOK},
		{"00200080", 0x63C3},
		{"0020008008" + pad8("1234"), 0x63C2},
		{"0020008008" + pad8("4321"), swOK},
		{"0020FF80", swOK}, // reset the security status
		{"00200080", 0x63C3},
	}
	for i, s := range steps {
		_, sw := tx(t, a, s.apdu)
		wantSW(t, fmt.Sprintf("step %d (%s)", i, s.apdu[:8]), sw, s.sw)
	}
}

func TestUnblockAfterPUKVerify(t *testing.T) {
	a := newTestApplet(t)
	for range PINMaxTries {
		tx(t, a, "0020008008"+pad8("0000"))
	}
	_, sw := tx(t, a, "002C028008"+pad8("9999"))
	wantSW(t, "reset without PUK", sw, swSecurityNotSatisfy)
	_, sw = tx(t, a, "0020008108"+hex.EncodeToString([]byte("12345678")))
	wantSW(t, "verify PUK", sw, swOK)
	_, sw = tx(t, a, "002C028008"+pad8("9999"))
	wantSW(t, "reset after PUK", sw, swOK)
	_, sw = tx(t, a, "0020008008"+pad8("9999"))
	wantSW(t, "new PIN", sw, swOK)
}

func TestChangePIN(t *testing.T) {
	a := newTestApplet(t)
	_, sw := tx(t, a, "0024008010"+pad8("1234")+pad8("98"))
	wantSW(t, "too short new PIN", sw, swWrongData)
	_, sw = tx(t, a, "0024008010"+pad8("0000")+pad8("5678"))
	wantSW(t, "wrong old PIN", sw, 0x63C2)
	_, sw = tx(t, a, "0024008010"+pad8("1234")+pad8("5678"))
	wantSW(t, "change", sw, swOK)
	_, sw = tx(t, a, "0020008008"+pad8("1234"))
	wantSW(t, "old PIN", sw, 0x63C2)
	_, sw = tx(t, a, "0020008008"+pad8("5678"))
	wantSW(t, "new PIN", sw, swOK)
}

// TestGeneralAuthenticate signs through the chained, GET RESPONSE path OpenSC uses.
func TestGeneralAuthenticate(t *testing.T) {
	a := newTestApplet(t)
	key := testHolder(t).Key
	digest := sha256.Sum256([]byte("cpx"))
	block := pkcs1Block(t, key, digest[:])
	ga := append(mustHex(t, "7C820106820081820100"), block...)

	if r := sendChained(t, a, ga); r.sw != swSecurityNotSatisfy {
		t.Fatalf("sign before PIN: SW %04X", r.sw)
	}
	tx(t, a, "0020008008"+pad8("1234"))
	r := sendChained(t, a, ga)
	wantSW(t, "sign", r.sw, swOK)
	tmpl, _ := findTLV(r.data, 0x7C)
	sig, found := findTLV(tmpl, 0x82)
	if !found {
		t.Fatalf("no 82 tag in %X", r.data)
	}
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	a.reset() // power cycle: the PIN must be given again
	if r := sendChained(t, a, ga); r.sw != swSecurityNotSatisfy {
		t.Fatalf("sign after reset: SW %04X", r.sw)
	}
}

// sendChained sends GENERAL AUTHENTICATE 9A in blocks of 255 bytes and collects the answer.
func sendChained(t *testing.T, a *applet, data []byte) response {
	t.Helper()
	var out []byte
	for len(data) > 0 {
		n := min(len(data), 255)
		cla := byte(0x10)
		if n == len(data) {
			cla = 0x00
		}
		apdu := append([]byte{cla, 0x87, 0x07, 0x9A, byte(n)}, data[:n]...)
		if cla == 0 {
			apdu = append(apdu, 0x00)
		}
		data = data[n:]
		part, sw := split(t, a.transmit(apdu))
		out = append(out, part...)
		for sw&0xFF00 == swMoreData {
			part, sw = split(t, a.transmit([]byte{0, 0xC0, 0, 0, byte(sw)}))
			out = append(out, part...)
		}
		if cla == 0x10 && sw != swOK {
			return response{sw: sw}
		}
		if cla == 0 {
			return response{data: out, sw: sw}
		}
	}
	return response{sw: 0}
}

// pkcs1Block builds the EMSA-PKCS1-v1_5 block the host sends for a SHA-256 digest.
func pkcs1Block(t *testing.T, key *rsa.PrivateKey, digest []byte) []byte {
	t.Helper()
	prefix := mustHex(t, "3031300d060960864801650304020105000420")
	k := key.Size()
	tLen := len(prefix) + len(digest)
	block := append([]byte{0x00, 0x01}, bytes.Repeat([]byte{0xFF}, k-tLen-3)...)
	block = append(block, 0x00)
	block = append(block, prefix...)
	return append(block, digest...)
}

func TestBadCommands(t *testing.T) {
	a := newTestApplet(t)
	for _, c := range []struct {
		apdu string
		sw   uint16
	}{
		{"00", swWrongLength},
		{"80CA9F7F00", swClaNotSupported},
		{"00FF000000", swInsNotSupported},
		{"00C0000000", swConditionsNotMet},          // nothing to get
		{"00B000000C", 0x6986},                      // no EF selected
		{"00870799047C02820000", swRefDataNotFound}, // key 99 does not exist
		{"00CB3FFE055C035FC10500", swIncorrectP1P2},
		{"0020008208" + pad8("1234"), swRefDataNotFound},
		{"002000800A" + pad8("1234") + "FFFF", swWrongData},
	} {
		_, sw := tx(t, a, c.apdu)
		wantSW(t, c.apdu, sw, c.sw)
	}
	if a.st.pinTries != PINMaxTries {
		t.Fatalf("malformed commands used PIN tries: %d left", a.st.pinTries)
	}
}
