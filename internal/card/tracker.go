package card

import (
	"bytes"
	"sort"
	"time"
)

// observation is what PC/SC says of one reader after SCardGetStatusChange.
type observation struct {
	Reader  string
	Present bool   // SCARD_STATE_PRESENT
	ATR     []byte // meaningful only when Present
	Counter uint16 // pcsc-lite/WinSCard event counter: upper 16 bits of dwEventState
}

// readerInfo is what the tracker last reported of a reader.
type readerInfo struct {
	present bool
	atr     []byte
	counter uint16
}

// tracker turns successive observations into events. It holds no PC/SC handle: it is the
// Monitor's state logic, unit-tested with fakes. Its rules:
//   - a reader is added when first observed, removed when no longer observed;
//   - a card is inserted on absent→present, removed on present→absent, and both (removed
//     then inserted) on present→present when the event counter moved or the ATR changed
//     (the card was swapped between two wake-ups);
//   - everything else — the same state reported again, in-use/exclusive/unpowered flags
//     flickering — produces nothing, so each insertion and removal is reported once.
type tracker struct {
	now     func() time.Time
	readers map[string]readerInfo
}

func newTracker(now func() time.Time) *tracker {
	return &tracker{now: now, readers: map[string]readerInfo{}}
}

// update takes the complete set of watched readers as observed now.
func (t *tracker) update(obs []observation) []Event {
	var evs []Event
	seen := make(map[string]bool, len(obs))
	for _, o := range obs {
		seen[o.Reader] = true
		prev, known := t.readers[o.Reader]
		cur := readerInfo{present: o.Present, counter: o.Counter}
		if o.Present {
			cur.atr = append([]byte(nil), o.ATR...)
		}
		switch {
		case !known:
			evs = append(evs, t.event(ReaderAdded, o.Reader, nil))
			if cur.present {
				evs = append(evs, t.event(CardInserted, o.Reader, cur.atr))
			}
		case prev.present && !cur.present:
			evs = append(evs, t.event(CardRemoved, o.Reader, prev.atr))
		case !prev.present && cur.present:
			evs = append(evs, t.event(CardInserted, o.Reader, cur.atr))
		case prev.present && cur.present && swapped(prev, cur):
			evs = append(evs, t.event(CardRemoved, o.Reader, prev.atr), t.event(CardInserted, o.Reader, cur.atr))
		}
		t.readers[o.Reader] = cur
	}
	for _, name := range t.names() {
		if !seen[name] {
			evs = append(evs, t.drop(name)...)
		}
	}
	return evs
}

// swapped: the card in a reader changed between two observations that both saw a card.
func swapped(prev, cur readerInfo) bool {
	if prev.counter != cur.counter {
		return true
	}
	// A mute card may report no ATR; only two real ATRs that differ mean another card.
	return len(prev.atr) > 0 && len(cur.atr) > 0 && !bytes.Equal(prev.atr, cur.atr)
}

// reset forgets every reader (the service went away), reporting the removals.
func (t *tracker) reset() []Event {
	var evs []Event
	for _, name := range t.names() {
		evs = append(evs, t.drop(name)...)
	}
	return evs
}

func (t *tracker) drop(name string) []Event {
	var evs []Event
	if prev := t.readers[name]; prev.present {
		evs = append(evs, t.event(CardRemoved, name, prev.atr))
	}
	delete(t.readers, name)
	return append(evs, t.event(ReaderRemoved, name, nil))
}

// names are sorted so that events come in a stable order.
func (t *tracker) names() []string {
	out := make([]string, 0, len(t.readers))
	for n := range t.readers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (t *tracker) event(k EventKind, reader string, atr []byte) Event {
	e := Event{Kind: k, Reader: reader, Time: t.now()}
	if k == CardInserted || k == CardRemoved {
		e.ATR = append([]byte(nil), atr...)
		e.Card = Identify(atr)
	}
	return e
}
