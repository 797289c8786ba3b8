package card

import (
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ebfe/scard"
)

// fakeWorld is a scripted PC/SC service for the Monitor's unit tests: readers with cards,
// extra state flags, and a service that can go down and come back (a new "pcscd" whose
// contexts invalidate the old ones).
type fakeWorld struct {
	mu         sync.Mutex
	wake       chan struct{} // closed and replaced on every change
	readers    map[string]*fakeReader
	down       bool
	gen        int
	establishN int
	statusN    int
	waiting    int // GetStatusChange calls blocked right now
}

// settle waits until a GetStatusChange call is blocked. pcsc-lite 1.9 counts readers at the
// entry of each call (PnP), so a reader added between two calls is missed by design; tests
// that add readers wait for the monitor to be blocked first.
func (w *fakeWorld) settle() {
	for range 200 {
		w.mu.Lock()
		n := w.waiting
		w.mu.Unlock()
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type fakeReader struct {
	present bool
	atr     []byte
	counter uint16
	extra   uint32 // e.g. SCARD_STATE_INUSE (0x100), flickering flags
}

func newFakeWorld() *fakeWorld {
	return &fakeWorld{wake: make(chan struct{}), readers: map[string]*fakeReader{}}
}

func (w *fakeWorld) change(f func()) {
	w.mu.Lock()
	f()
	close(w.wake)
	w.wake = make(chan struct{})
	w.mu.Unlock()
}

func (w *fakeWorld) addReader(name string) { w.change(func() { w.readers[name] = &fakeReader{} }) }
func (w *fakeWorld) removeReader(name string) {
	w.change(func() { delete(w.readers, name) })
}

func (w *fakeWorld) insert(name string, atr []byte) {
	w.change(func() { r := w.readers[name]; r.present, r.atr = true, atr; r.counter++ })
}

func (w *fakeWorld) remove(name string) {
	w.change(func() { r := w.readers[name]; r.present = false; r.counter++ })
}

func (w *fakeWorld) flags(name string, extra uint32) {
	w.change(func() { w.readers[name].extra = extra })
}

// stop kills the service: open contexts fail, establishing fails until start.
func (w *fakeWorld) stop()  { w.change(func() { w.down = true; w.gen++ }) }
func (w *fakeWorld) start() { w.change(func() { w.down = false }) }

func (w *fakeWorld) establish() (pcscContext, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.establishN++
	if w.down {
		return nil, errNoServiceFake
	}
	return &fakeContext{w: w, gen: w.gen, cancel: make(chan struct{}, 1)}, nil
}

func (w *fakeWorld) counts() (establish, status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.establishN, w.statusN
}

var discard = slog.New(slog.DiscardHandler)

var errNoServiceFake = mapErr(scard.ErrNoService)

type fakeContext struct {
	w      *fakeWorld
	gen    int
	cancel chan struct{}
}

func (c *fakeContext) alive() bool { return !c.w.down && c.w.gen == c.gen }

func (c *fakeContext) ListReaders() ([]string, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if !c.alive() {
		return nil, errNoServiceFake
	}
	if len(c.w.readers) == 0 {
		return nil, mapErr(scard.ErrNoReadersAvailable)
	}
	var out []string
	for n := range c.w.readers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func (c *fakeContext) GetStatusChange(states []readerState, timeout time.Duration) error {
	c.w.mu.Lock()
	c.w.statusN++
	startCount := len(c.w.readers)
	c.w.mu.Unlock()
	for {
		c.w.mu.Lock()
		if !c.alive() {
			c.w.mu.Unlock()
			return errNoServiceFake
		}
		changed := len(c.w.readers) != startCount
		for i := range states {
			ev := c.stateOf(states[i].Reader, startCount)
			if changed && states[i].Reader == pnpReader || ev != states[i].Current {
				ev |= stateChanged
				changed = true
			}
			states[i].Event = ev
			states[i].ATR = nil
			if r := c.w.readers[states[i].Reader]; r != nil && r.present {
				states[i].ATR = r.atr
			}
		}
		wake := c.w.wake
		if changed {
			c.w.mu.Unlock()
			return nil
		}
		c.w.waiting++
		c.w.mu.Unlock()
		var err error
		select {
		case <-wake:
		case <-c.cancel:
			err = mapErr(scard.ErrCancelled)
		}
		c.w.mu.Lock()
		c.w.waiting--
		c.w.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// stateOf computes dwEventState (without the CHANGED bit). The PnP pseudo-reader follows
// WinSCard: the high word is the reader count, so a current state carrying the right count
// waits, one carrying another count returns at once. startCount is the count at the entry
// of the call, which is all pcsc-lite 1.9 compares with.
func (c *fakeContext) stateOf(name string, startCount int) uint32 {
	if name == pnpReader {
		return uint32(len(c.w.readers)) << 16
	}
	r := c.w.readers[name]
	if r == nil {
		return stateUnknown | stateIgnore
	}
	ev := uint32(r.counter)<<16 | r.extra
	if r.present {
		return ev | statePresent
	}
	return ev | 0x10 // SCARD_STATE_EMPTY
}

// Cancel wakes a call blocked right now, like pcsc-lite: a cancel between two calls is lost.
func (c *fakeContext) Cancel() error {
	c.w.mu.Lock()
	blocked := c.w.waiting > 0
	c.w.mu.Unlock()
	if blocked {
		select {
		case c.cancel <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *fakeContext) Release() error { return nil }
