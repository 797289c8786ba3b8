package vcard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// fakeVPCD plays vpcd's side of the protocol on a loopback listener: the unit test of the
// transport (the interop tests use the real vpcd inside pcscd).
type fakeVPCD struct {
	ln net.Listener
}

func newFakeVPCD(t *testing.T) *fakeVPCD {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeVPCD{ln: ln}
}

func (f *fakeVPCD) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

func (f *fakeVPCD) accept(t *testing.T) net.Conn {
	t.Helper()
	f.ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	conn, err := f.ln.Accept()
	if err != nil {
		t.Fatalf("the card did not dial vpcd: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// exchange sends a frame the way vpcd does (length and body in two writes) and reads the
// answer frame.
func exchange(t *testing.T, conn net.Conn, payload []byte) []byte {
	t.Helper()
	send(t, conn, payload)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var hdr [2]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		t.Fatalf("read answer length: %v", err)
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	if _, err := io.ReadFull(conn, body); err != nil {
		t.Fatalf("read answer: %v", err)
	}
	return body
}

func send(t *testing.T, conn net.Conn, payload []byte) {
	t.Helper()
	var hdr [2]byte
	binary.BigEndian.PutUint16(hdr[:], uint16(len(payload)))
	if _, err := conn.Write(hdr[:]); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(payload); err != nil {
		t.Fatal(err)
	}
}

func TestTransport(t *testing.T) {
	v := newFakeVPCD(t)
	h := testHolder(t)
	events := make(chan Event, 32)
	atr, err := ParseATR("cps3")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{StateDir: t.TempDir(), Port: v.port(), ATR: atr, Cert: h.Cert, Key: h.Key,
		Logger: quietLog(), OnEvent: func(e Event) { events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Addr() != "127.0.0.1:"+strconv.Itoa(v.port()) || c.Inserted() {
		t.Fatalf("new card: addr %s inserted %v", c.Addr(), c.Inserted())
	}
	if err := c.Insert(); err != nil {
		t.Fatal(err)
	}
	conn := v.accept(t)
	if got := exchange(t, conn, []byte{ctlATR}); !bytes.Equal(got, atr) {
		t.Fatalf("ATR %X, want %X", got, atr)
	}
	send(t, conn, []byte{ctlPowerOn}) // no answer to power control
	if got := exchange(t, conn, mustHex(t, "00200080")); !bytes.Equal(got, []byte{0x63, 0xC3}) {
		t.Fatalf("VERIFY status %X", got)
	}

	// vpcd dropping the connection (pcscd restart): the card dials again.
	conn.Close()
	conn = v.accept(t)
	if got := exchange(t, conn, []byte{ctlATR}); !bytes.Equal(got, atr) {
		t.Fatalf("ATR after redial %X", got)
	}

	// Removal closes the connection: vpcd reads EOF.
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("vpcd side after removal: %v, want EOF", err)
	}
	if c.Inserted() || c.Connected() {
		t.Fatal("card still inserted or connected after Remove")
	}
	c.Close()
	if err := c.Insert(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Insert after Close: %v, want ErrClosed", err)
	}
	want := []Event{EventInserted, EventConnected, EventPowerOn, EventDisconnected, EventConnected, EventDisconnected, EventRemoved}
	for _, w := range want {
		select {
		case e := <-events:
			if e != w {
				t.Fatalf("event %q, want %q", e, w)
			}
		case <-time.After(time.Second):
			t.Fatalf("missing event %q", w)
		}
	}
}

func TestParseATR(t *testing.T) {
	for in, want := range map[string]string{
		"cps4":                    "3B9B188001001225006480040100009044",
		"CPS3":                    "3BAC00402A001225006480000310009000",
		"3b:9b:18:80:01:00:12":    "3B9B1880010012",
		"3B 8F 80 01 00 31 B8 64": "3B8F80010031B864",
	} {
		got, err := ParseATR(in)
		if err != nil || !bytes.Equal(got, mustHex(t, want)) {
			t.Errorf("ParseATR(%q) = %X, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "cps5", "zz", "00 11", "3B"} {
		if _, err := ParseATR(bad); !errors.Is(err, ErrBadATR) {
			t.Errorf("ParseATR(%q): %v, want ErrBadATR", bad, err)
		}
	}
}
