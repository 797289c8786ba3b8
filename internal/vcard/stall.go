package vcard

import "sync/atomic"

// staller makes the card hang on demand (Config.Stall): once ask says yes to an APDU, no
// frame of the connection is answered any more, so the reader's transmit waits until the
// card is removed. Reset on every new connection (an insertion).
type staller struct {
	ask  func(apdu []byte) bool
	hung atomic.Bool
}

// stalled reports whether frame must go unanswered.
func (s *staller) stalled(frame []byte) bool {
	if s.ask == nil {
		return false
	}
	if s.hung.Load() {
		return true
	}
	if len(frame) > 1 && s.ask(frame) {
		s.hung.Store(true)
		return true
	}
	return false
}

func (s *staller) reset() { s.hung.Store(false) }

// Hung reports whether the card stopped answering (Config.Stall said yes on this connection).
func (c *Card) Hung() bool { return c.stall.hung.Load() }
