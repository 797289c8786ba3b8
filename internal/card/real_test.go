//go:build linux

package card

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ebfe/scard"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// Through the real stack: pcscd + vpcd + a virtual card on our ports.

func TestMonitorRealInsertRemoveOnce(t *testing.T) {
	testrig.RequirePCSCD(t)
	// Both PC/SC paths: the native one (Linux) and the scard one (other OSes).
	for name, est := range map[string]func() (pcscContext, error){"native": establishContext, "scard": establishScard} {
		t.Run(name, func(t *testing.T) { testInsertRemoveOnce(t, est) })
	}
}

func testInsertRemoveOnce(t *testing.T, establish func() (pcscContext, error)) {
	card := startCard(t, portA, "cps4")
	ctx, cancel := context.WithCancel(context.Background())
	ch := newMonitor(Options{Reader: readerA}, establish).Events(ctx)
	defer stop(cancel, ch)
	expect(t, ch, "reader-added:"+readerA)

	insert(t, card)
	e := nextWithin(t, ch, 5*time.Second)
	if e.Kind != CardInserted || e.Reader != readerA {
		t.Fatalf("got %s, want card-inserted in %q", e, readerA)
	}
	if !bytes.Equal(e.ATR, atrOf(t, "cps4")) || !e.Card.Known || e.Card.Generation != "CPS4" {
		t.Fatalf("inserted card: ATR %X identified %+v", e.ATR, e.Card)
	}
	// pcscd polls vpcd about every 400ms: a duplicate would show within a few polls.
	quiet(t, ch, 1500*time.Millisecond)

	remove(t, card)
	e = nextWithin(t, ch, 5*time.Second)
	if e.Kind != CardRemoved || e.Reader != readerA || e.Card.Generation != "CPS4" {
		t.Fatalf("got %s, want card-removed of the CPS4 card", e)
	}
	quiet(t, ch, 1500*time.Millisecond)
}

func TestMonitorRealReportsPresentCardAtStart(t *testing.T) {
	// A card whose ATR is not a CPx card's (a PIV token's).
	testrig.StartCard(t, portA, "cpe", testrig.WithATR([]byte{0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs := expect(t, NewMonitor(Options{Reader: readerA}).Events(ctx), "reader-added:"+readerA, "card-inserted:"+readerA)
	if evs[1].Card.Known || evs[1].Card.String() != "not a CPx card" {
		t.Fatalf("unknown card identified as %+v", evs[1].Card)
	}
}

func TestMonitorRealReaderFilter(t *testing.T) {
	other := startCard(t, portB, "cps3")
	mine := startCard(t, portA, "cps4")
	ctx, cancel := context.WithCancel(context.Background())
	ch := NewMonitor(Options{Reader: readerA}).Events(ctx)
	defer stop(cancel, ch)
	expect(t, ch, "reader-added:"+readerA)

	other.InsertAndWait(t)
	quiet(t, ch, 800*time.Millisecond)
	insert(t, mine)
	if e := nextWithin(t, ch, 5*time.Second); e.Kind != CardInserted || e.Reader != readerA || e.Card.Generation != "CPS4" {
		t.Fatalf("got %s, want the CPS4 card in %q", e, readerA)
	}
	other.RemoveAndWait(t)
	quiet(t, ch, 800*time.Millisecond)
}

func TestMonitorRealCancel(t *testing.T) {
	testrig.RequirePCSCD(t)
	ctx, cancel := context.WithCancel(context.Background())
	ch := NewMonitor(Options{}).Events(ctx)
	next(t, ch) // blocked in SCardGetStatusChange(INFINITE) after the first events
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	for range ch {
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("SCardCancel took %v to end the stream", d)
	}
}

func TestReadSerialReal(t *testing.T) {
	card := startCard(t, portA, "cps4")
	if _, err := ReadSerial(readerA); !errors.Is(err, ErrNoCard) {
		t.Fatalf("empty reader: %v, want ErrNoCard", err)
	}
	if _, err := ReadSerial("No Such Reader 00 00"); !errors.Is(err, ErrNoReader) {
		t.Fatalf("unknown reader: %v, want ErrNoReader", err)
	}
	card.InsertAndWait(t)

	// The middleware holds a shared connection: ReadSerial must not need exclusivity.
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Release()
	mw, err := ctx.Connect(readerA, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := ReadSerial(readerA)
	if err != nil {
		t.Fatalf("ReadSerial beside a shared connection: %v", err)
	}
	if !bytes.Equal(sn, card.Serial()) || !bytes.HasPrefix(sn, []byte{0x80, 0x25, 0x00, 0x00, 0x01}) {
		t.Fatalf("serial %X, want %X (ANS issuer bytes first)", sn, card.Serial())
	}
	// The other connection still works: the card was left as found (no reset).
	if _, err := mw.Status(); err != nil {
		t.Fatalf("middleware connection broken after ReadSerial: %v", err)
	}
	mw.Disconnect(scard.LeaveCard)

	// A program holding the card exclusively gives ErrSharingViolation.
	ex := connectExclusive(t, ctx, readerA)
	_, err = ReadSerial(readerA)
	ex.Disconnect(scard.LeaveCard)
	if !errors.Is(err, ErrSharingViolation) {
		t.Fatalf("card held exclusively: %v, want ErrSharingViolation", err)
	}
}

func nextWithin(t *testing.T, ch <-chan Event, d time.Duration) Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("event stream closed")
		}
		return e
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return Event{}
}

// countingContext counts GetStatusChange calls of the real context.
type countingContext struct {
	pcscContext
	mu *sync.Mutex
	n  *int
}

func (c countingContext) GetStatusChange(states []readerState, timeout time.Duration) error {
	c.mu.Lock()
	*c.n++
	c.mu.Unlock()
	return c.pcscContext.GetStatusChange(states, timeout)
}

// Idle, the monitor sleeps in one GetStatusChange call: no polling, no busy loop (this also
// checks the PnP reader's current state is understood by this pcsc-lite).
func TestMonitorRealIdleBlocks(t *testing.T) {
	testrig.RequirePCSCD(t)
	var mu sync.Mutex
	n := 0
	est := func() (pcscContext, error) {
		c, err := establishContext()
		if err != nil {
			return nil, err
		}
		return countingContext{c, &mu, &n}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := newMonitor(Options{}, est).Events(ctx)
	next(t, ch)
	time.Sleep(300 * time.Millisecond) // initial UNAWARE round done
	mu.Lock()
	n0 := n
	mu.Unlock()
	time.Sleep(1500 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	// Other packages' tests may insert cards in their readers meanwhile: allow a few wake-ups.
	if n-n0 > 8 {
		t.Fatalf("%d GetStatusChange calls in 1.5s while idle", n-n0)
	}
}

// connectExclusive takes the card exclusively, waiting while another program (OpenSC in a
// parallel test scanning every reader) has it open for a moment.
func connectExclusive(t *testing.T, ctx *scard.Context, reader string) *scard.Card {
	t.Helper()
	// Another test process's PKCS#11 module may hold a shared connection to every card it sees
	// for a while: wait it out rather than fail on the neighbour.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := ctx.Connect(reader, scard.ShareExclusive, scard.ProtocolAny)
		if err == nil {
			return c
		}
		if !errors.Is(err, scard.ErrSharingViolation) || time.Now().After(deadline) {
			t.Fatalf("connect exclusively to %q: %v", reader, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
