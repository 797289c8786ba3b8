package vcard

import (
	"bytes"
	"testing"
	"time"
)

// TestStall: Config.Stall hangs the card from the chosen APDU on (no answer, not even to an
// ATR request) until the connection ends; the next connection answers again.
func TestStall(t *testing.T) {
	v := newFakeVPCD(t)
	h := testHolder(t)
	verify := mustHex(t, "00200080")
	c, err := New(Config{StateDir: t.TempDir(), Port: v.port(), Cert: h.Cert, Key: h.Key, Logger: quietLog(),
		Stall: func(apdu []byte) bool { return apdu[1] == 0x20 }}) // hang on VERIFY
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Insert(); err != nil {
		t.Fatal(err)
	}
	conn := v.accept(t)
	if got := exchange(t, conn, []byte{ctlATR}); !bytes.Equal(got, c.ATR()) {
		t.Fatalf("ATR before the stall %X", got)
	}
	if c.Hung() {
		t.Fatal("card hung before any APDU")
	}
	send(t, conn, verify)
	send(t, conn, []byte{ctlATR})
	_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := conn.Read(make([]byte, 2)); err == nil {
		t.Fatalf("a hung card answered %d bytes", n)
	}
	if !c.Hung() {
		t.Fatal("Hung() false after the stalling APDU")
	}

	conn.Close() // vpcd drops the connection: the card dials again and answers
	conn = v.accept(t)
	if got := exchange(t, conn, []byte{ctlATR}); !bytes.Equal(got, c.ATR()) {
		t.Fatalf("ATR after redial %X", got)
	}
	if c.Hung() {
		t.Fatal("still hung on a new connection")
	}
}
