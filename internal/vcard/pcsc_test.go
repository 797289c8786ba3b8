package vcard_test

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/ebfe/scard"
)

// pcscCard is a raw PC/SC connection to a reader.
type pcscCard struct {
	ctx  *scard.Context
	card *scard.Card
}

func connect(t testing.TB, reader string) *pcscCard {
	t.Helper()
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatalf("pcscd not running: run .ci/rig.sh up (%v)", err)
	}
	card, err := ctx.Connect(reader, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		ctx.Release()
		t.Fatalf("connect %q: %v", reader, err)
	}
	p := &pcscCard{ctx: ctx, card: card}
	t.Cleanup(func() {
		card.Disconnect(scard.ResetCard)
		ctx.Release()
	})
	return p
}

// atomically runs f inside a PC/SC transaction: other programs that enumerate every reader
// (OpenSC, card monitors of tests running in parallel) cannot slip an APDU between a 61xx
// answer and its GET RESPONSE, or between chained blocks.
func (p *pcscCard) atomically(t testing.TB, f func()) {
	t.Helper()
	if err := p.card.BeginTransaction(); err != nil {
		t.Fatalf("begin transaction: %v", err)
	}
	defer p.card.EndTransaction(scard.LeaveCard)
	f()
}

// tx sends an APDU in hex and returns data and status word, following 61xx.
func (p *pcscCard) tx(t testing.TB, apdu string) ([]byte, uint16) {
	t.Helper()
	cmd, err := hex.DecodeString(strings.ReplaceAll(apdu, " ", ""))
	if err != nil {
		t.Fatalf("bad apdu %q", apdu)
	}
	var data []byte
	for {
		r, err := p.card.Transmit(cmd)
		if err != nil || len(r) < 2 {
			t.Fatalf("transmit %s: %v (%X)", apdu, err, r)
		}
		data = append(data, r[:len(r)-2]...)
		sw := uint16(r[len(r)-2])<<8 | uint16(r[len(r)-1])
		if sw>>8 != 0x61 {
			return data, sw
		}
		cmd = []byte{0x00, 0xC0, 0x00, 0x00, byte(sw)}
	}
}

func pad8hex(s string) string {
	b := append([]byte(s), bytes.Repeat([]byte{0xFF}, 8-len(s))...)
	return hex.EncodeToString(b)
}

// TestRawAPDUs reads EF.SN.ICC and the certificate through pcscd, blocks the PIN and unblocks
// it with RESET RETRY COUNTER.
func TestRawAPDUs(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cps")
	p := connect(t, c.Reader)
	p.atomically(t, func() { rawAPDUs(t, c, p) })
}

func rawAPDUs(t *testing.T, c *testrig.Card, p *pcscCard) {
	check := func(what string, got, want uint16) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: SW %04X, want %04X", what, got, want)
		}
	}
	_, sw := p.tx(t, "00A4000C023F00")
	check("select MF", sw, 0x9000)
	_, sw = p.tx(t, "00A4020C02D003")
	check("select EF.SN.ICC", sw, 0x9000)
	serial, sw := p.tx(t, "00B000000C")
	check("read EF.SN.ICC", sw, 0x9000)
	if !bytes.Equal(serial, c.Serial()) {
		t.Fatalf("serial through pcscd %X, card says %X", serial, c.Serial())
	}
	_, sw = p.tx(t, "00A4040009A00000030800001000")
	check("select PIV", sw, 0x9000)
	obj, sw := p.tx(t, "00CB3FFF055C035FC10500")
	check("get certificate", sw, 0x9000)
	if !bytes.Contains(obj, c.Certificate().Raw) {
		t.Fatalf("certificate object does not hold the card's certificate")
	}
	if _, err := x509.ParseCertificate(c.Certificate().Raw); err != nil {
		t.Fatal(err)
	}
	_, sw = p.tx(t, "00200080")
	check("PIN status", sw, 0x63C3)
	for _, want := range []uint16{0x63C2, 0x63C1, 0x6983} {
		_, sw = p.tx(t, "0020008008"+pad8hex("9999"))
		check("wrong PIN", sw, want)
	}
	_, sw = p.tx(t, "002C008010"+hex.EncodeToString([]byte("12345678"))+pad8hex("2468"))
	check("reset retry counter", sw, 0x9000)
	_, sw = p.tx(t, "0020008008"+pad8hex("2468"))
	check("new PIN", sw, 0x9000)
}
