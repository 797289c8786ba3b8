package card

import (
	"sync"
	"time"

	"github.com/ebfe/scard"
)

// statusMu serialises scard.Context.GetStatusChange across the process: the pinned version of
// github.com/ebfe/scard keeps the C copies of reader names in a package-level map written
// without a lock on every call, so two concurrent calls are a data race (and can free a name
// the other call still uses). Where this path is the Monitor's (not Linux, see
// pcsc_linux.go), run one Monitor per process: a second one waits for the first's call to
// return.
var statusMu sync.Mutex

// scardContext is a pcscContext over github.com/ebfe/scard.
type scardContext struct{ c *scard.Context }

func establishScard() (pcscContext, error) {
	c, err := scard.EstablishContext()
	if err != nil {
		return nil, mapErr(err)
	}
	return scardContext{c}, nil
}

func (s scardContext) ListReaders() ([]string, error) {
	names, err := s.c.ListReaders()
	if err != nil {
		return nil, mapErr(err)
	}
	return names, nil
}

func (s scardContext) GetStatusChange(states []readerState, timeout time.Duration) error {
	rs := make([]scard.ReaderState, len(states))
	for i, st := range states {
		rs[i] = scard.ReaderState{Reader: st.Reader, CurrentState: scard.StateFlag(st.Current)}
	}
	statusMu.Lock()
	err := s.c.GetStatusChange(rs, timeout)
	statusMu.Unlock()
	if err != nil {
		return mapErr(err)
	}
	for i := range states {
		states[i].Event = uint32(rs[i].EventState)
		// pcsc-lite leaves the last ATR in a reader's state after the card is gone: keep
		// it only while a card is present.
		states[i].ATR = nil
		if states[i].Event&statePresent != 0 {
			states[i].ATR = append([]byte(nil), rs[i].Atr...)
		}
	}
	return nil
}

func (s scardContext) Cancel() error  { return mapErr(s.c.Cancel()) }
func (s scardContext) Release() error { return mapErr(s.c.Release()) }
