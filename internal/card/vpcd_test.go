//go:build linux

package card

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// Test ports (docs/architecture.md): 35963 → "Virtual PCD 00 00", 35964 → "Virtual PCD 00 01".
const (
	portA   = 35963
	portB   = 35964
	readerA = "Virtual PCD 00 00"
	readerB = "Virtual PCD 00 01"
)

// requirePCSCD fails the test when pcscd does not answer (never skips).
func requirePCSCD(t testing.TB) {
	t.Helper()
	c, err := scard.EstablishContext()
	if err != nil {
		t.Fatalf("pcscd is not reachable (%v): start it with `.ci/rig.sh up` (packages pcscd, vsmartcard-vpcd)", err)
	}
	defer c.Release()
	names, err := c.ListReaders()
	if err != nil {
		t.Fatalf("pcscd lists no reader (%v): is vsmartcard-vpcd installed? run `.ci/rig.sh up`", err)
	}
	for _, want := range []string{readerA, readerB} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Fatalf("reader %q missing (have %q): run `.ci/rig.sh up`", want, names)
		}
	}
}

// lockPort serialises the use of a vpcd port across test processes (go test runs packages in
// parallel; one card per reader).
func lockPort(t testing.TB, port int) {
	t.Helper()
	f, err := os.OpenFile(fmt.Sprintf("%s/cpx-vpcd-%d.lock", os.TempDir(), port), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
}

// testCard is a minimal virtual card speaking the vpcd protocol: ATR and EF.SN.ICC only.
type testCard struct {
	t      testing.TB
	port   int
	atr    []byte
	serial []byte
	mu     sync.Mutex
	conn   net.Conn
	done   chan struct{}
}

func newTestCard(t testing.TB, port int, atr []byte) *testCard {
	lockPort(t, port)
	c := &testCard{t: t, port: port, atr: atr, serial: []byte{0x80, 0x25, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0x12, 0x34, 0x56}}
	t.Cleanup(func() {
		// Leave the reader empty for the next test: pcscd notices a removal on its next poll.
		if c.Remove() {
			waitPresent(t, readerForPort(port), false)
		}
	})
	return c
}

func (c *testCard) Insert() {
	c.t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.port))
	if err != nil {
		c.t.Fatalf("vpcd port %d: %v", c.port, err)
	}
	c.mu.Lock()
	c.conn, c.done = conn, make(chan struct{})
	c.mu.Unlock()
	go c.serve(conn, c.done)
}

// Remove takes the card out; it reports whether a card was in.
func (c *testCard) Remove() bool {
	c.mu.Lock()
	conn, done := c.conn, c.done
	c.conn = nil
	c.mu.Unlock()
	if conn == nil {
		return false
	}
	conn.Close()
	<-done
	return true
}

func readerForPort(port int) string {
	if port == portB {
		return readerB
	}
	return readerA
}

func (c *testCard) serve(conn net.Conn, done chan struct{}) {
	defer close(done)
	var selected uint16
	for {
		var l [2]byte
		if _, err := io.ReadFull(conn, l[:]); err != nil {
			return
		}
		req := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(conn, req); err != nil {
			return
		}
		var rsp []byte
		switch {
		case len(req) == 1 && req[0] == 0x04:
			rsp = c.atr
		case len(req) == 1:
			continue // power on/off, reset: no answer
		case len(req) == 7 && req[1] == 0xA4:
			selected = uint16(req[5])<<8 | uint16(req[6])
			rsp = []byte{0x90, 0x00}
		case len(req) == 5 && req[1] == 0xB0 && selected == 0xD003:
			rsp = append(append([]byte(nil), c.serial...), 0x90, 0x00)
		default:
			rsp = []byte{0x6D, 0x00}
		}
		if _, err := conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(rsp))), rsp...)); err != nil {
			return
		}
	}
}

// waitPresent waits until pcscd sees a card (present=true) or an empty reader.
func waitPresent(t testing.TB, reader string, present bool) {
	t.Helper()
	c, err := establishContext()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	rs := []readerState{{Reader: reader}}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		err := c.GetStatusChange(rs, 500*time.Millisecond)
		if err != nil && !errors.Is(err, scard.ErrTimeout) {
			t.Fatal(err)
		}
		if (rs[0].Event&statePresent != 0) == present {
			return
		}
		rs[0].Current = rs[0].Event &^ stateChanged
	}
	t.Fatalf("reader %q: card present=%v not seen within 5s", reader, present)
}
