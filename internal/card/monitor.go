package card

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// pnpReader is the pseudo-reader whose state changes when a reader is plugged or unplugged
// (pcsc-lite ≥ 1.6 and WinSCard both support it).
const pnpReader = `\\?PnP?\Notification`

// State flags of SCARD_READERSTATE.dwEventState (identical in pcsc-lite and WinSCard).
const (
	stateIgnore      = 0x0001
	stateChanged     = 0x0002
	stateUnknown     = 0x0004
	stateUnavailable = 0x0008
	statePresent     = 0x0020
)

// readerState is SCARD_READERSTATE without the C: the loop and the fakes share it.
type readerState struct {
	Reader  string
	Current uint32
	Event   uint32
	ATR     []byte
}

// pcscContext is an SCARDCONTEXT. The real one is in pcsc.go; tests use fakes.
type pcscContext interface {
	ListReaders() ([]string, error)
	// GetStatusChange blocks until a state differs from Current (timeout < 0: forever).
	GetStatusChange(states []readerState, timeout time.Duration) error
	Cancel() error
	Release() error
}

// Options tune a Monitor. The zero value watches every reader.
type Options struct {
	Reader     string        // watch only this reader ("" = all)
	MinBackoff time.Duration // first wait before re-establishing a lost context (default 100ms)
	MaxBackoff time.Duration // cap of the doubling backoff (default 3s)
	Logger     *slog.Logger  // default slog.Default()
	Now        func() time.Time
}

// Monitor reports reader and card events. Create it with NewMonitor. Each Events call runs its
// own PC/SC context: on Linux several streams may run at once; on other OSes (scard path, see
// pcsc_scard.go) keep one stream per process.
type Monitor struct {
	opts      Options
	establish func() (pcscContext, error)
}

// NewMonitor returns a Monitor on the system's PC/SC service.
func NewMonitor(opts Options) *Monitor {
	return newMonitor(opts, establishContext)
}

func newMonitor(opts Options, establish func() (pcscContext, error)) *Monitor {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(3*time.Second, opts.MinBackoff)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Monitor{opts: opts, establish: establish}
}

// Events streams events until ctx ends, then closes the channel. Readers and cards already
// present come first (ReaderAdded, CardInserted). If the service is down, ServiceDown comes
// first and the Monitor keeps retrying.
func (m *Monitor) Events(ctx context.Context) <-chan Event {
	out := make(chan Event, 16)
	go m.run(ctx, out)
	return out
}

func (m *Monitor) run(ctx context.Context, out chan<- Event) {
	defer close(out)
	emit := func(evs ...Event) bool {
		for _, e := range evs {
			select {
			case out <- e:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	tr := newTracker(m.opts.Now)
	backoff, down := m.opts.MinBackoff, false
	for ctx.Err() == nil {
		c, err := m.establish()
		if err == nil {
			if down && !emit(Event{Kind: ServiceUp, Time: m.opts.Now()}) {
				c.Release()
				return
			}
			down, backoff = false, m.opts.MinBackoff
			err = m.watch(ctx, c, tr, emit)
			c.Release()
		}
		if ctx.Err() != nil {
			return
		}
		if !down {
			down = true
			m.opts.Logger.Warn("card monitor: pc/sc service lost, reconnecting", "err", err)
			evs := append([]Event{{Kind: ServiceDown, Err: err, Time: m.opts.Now()}}, tr.reset()...)
			if !emit(evs...) {
				return
			}
		}
		// Waiting for the service to come back is the one timed wait: there is no handle
		// to block on while pcscd is gone.
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, m.opts.MaxBackoff)
	}
}

// watch blocks in GetStatusChange until the context ends (nil) or PC/SC fails (the error).
func (m *Monitor) watch(ctx context.Context, c pcscContext, tr *tracker, emit func(...Event) bool) error {
	// SCardCancel only wakes a call already blocked: if ctx ends while the loop is between
	// two calls, a single cancel is lost and the next call waits forever. So once ctx is
	// done, cancel until watch returns (a few retries at most, never in normal operation).
	done, cancelled := make(chan struct{}), make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		for {
			_ = c.Cancel()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	defer func() {
		close(done)
		if !stop() {
			<-cancelled // the context is released after watch: no Cancel may run then
		}
	}()
	states := []readerState{{Reader: pnpReader}}
	for {
		// pcsc-lite (1.9) compares the reader count with the one at the start of each
		// GetStatusChange call, so a reader plugged between two calls raises no PnP event:
		// list the readers before every call instead of trusting PnP alone.
		names, err := c.ListReaders()
		if err != nil && !errors.Is(err, ErrNoReader) {
			return fmt.Errorf("list readers: %w", err)
		}
		states = m.sync(states, names)
		if !emit(tr.update(observed(states))...) {
			return nil
		}
		err = c.GetStatusChange(states, -1)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, ErrCancelled) {
			return fmt.Errorf("wait for status change: %w", err)
		}
		for i := range states {
			states[i].Current = states[i].Event &^ stateChanged
		}
		if !emit(tr.update(observed(states))...) {
			return nil
		}
	}
}

// sync keeps the states of readers still listed (and wanted), and adds new ones as
// SCARD_STATE_UNAWARE so that the next GetStatusChange returns their state at once.
func (m *Monitor) sync(states []readerState, names []string) []readerState {
	old := make(map[string]readerState, len(states))
	for _, s := range states[1:] {
		old[s.Reader] = s
	}
	out := states[:1]
	// WinSCard (and pcsc-lite ≥ 2.0) compare the high word of the PnP reader's current
	// state with the reader count, which closes the window between ListReaders and the call.
	out[0].Current = uint32(len(names)) << 16
	for _, n := range names {
		if m.opts.Reader != "" && n != m.opts.Reader {
			continue
		}
		s, ok := old[n]
		if !ok || s.Event&(stateUnknown|stateIgnore) != 0 {
			s = readerState{Reader: n}
		}
		out = append(out, s)
	}
	return out
}

// observed turns the reader states seen at least once into observations. A reader that
// PC/SC calls unknown or unavailable is gone (or going): it is left out, hence removed.
func observed(states []readerState) []observation {
	var obs []observation
	for _, s := range states[1:] {
		if s.Current == 0 || s.Event&(stateUnknown|stateUnavailable|stateIgnore) != 0 {
			continue
		}
		o := observation{Reader: s.Reader, Present: s.Event&statePresent != 0, Counter: uint16(s.Event >> 16)}
		if o.Present {
			o.ATR = s.ATR
		}
		obs = append(obs, o)
	}
	return obs
}
