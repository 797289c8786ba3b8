package agent

import (
	"errors"
	"testing"
	"time"
)

// readingPIN inserts a card whose reading (tries, holder) waits for the returned gate, and
// returns the PIN screen shown meanwhile.
func readingPIN(t *testing.T, h *harness, tries int) (Snapshot, chan struct{}) {
	t.Helper()
	h.tok.put(readerA, "MARTIN Claire", "", tries)
	gate := make(chan struct{})
	h.tok.mu.Lock()
	h.tok.read = gate
	h.tok.mu.Unlock()
	h.mon.insert(readerA, true)
	s := h.wait("PIN screen while reading", func(s Snapshot) bool { return s.Step == StepPIN })
	return s, gate
}

// TestPINScreenBeforeCardReading: the PIN screen shows as soon as a CPx card is in, before
// PKCS#11 has read it; the tries and the holder fill in when the reading ends.
func TestPINScreenBeforeCardReading(t *testing.T) {
	h := newHarness(t, Config{})
	s, gate := readingPIN(t, h, 2)
	if !s.Reading || s.Busy || s.TriesLeft != -1 || s.Card == nil || s.Card.HolderName != "" {
		t.Fatalf("PIN screen while reading: reading %v busy %v tries %d card %+v", s.Reading, s.Busy, s.TriesLeft, s.Card)
	}
	close(gate)
	s = h.settle(StepPIN)
	if s.TriesLeft != 2 || s.Card.HolderName != "MARTIN Claire" {
		t.Fatalf("after the reading: tries %d card %+v", s.TriesLeft, s.Card)
	}
	h.assertSteps(0, StepWaitingCard, StepPIN)
}

// TestPINTypedDuringReadingWaits: a PIN submitted while the card is read is held (busy) and
// given to the card once, after the reading.
func TestPINTypedDuringReadingWaits(t *testing.T) {
	h := newHarness(t, Config{})
	_, gate := readingPIN(t, h, 3)
	pin := []byte("1234")
	h.e.Do(SubmitPIN{PIN: pin})
	s := h.wait("PIN held", func(s Snapshot) bool { return s.Busy && s.BusyLabel == BusyPINChecking })
	if s.Step != StepPIN || h.tok.loginCount() != 0 {
		t.Fatalf("PIN given to the card before the reading ended: step %v logins %d", s.Step, h.tok.loginCount())
	}
	close(gate)
	h.settle(StepSignedIn)
	if h.tok.loginCount() != 1 || string(pin) != "\x00\x00\x00\x00" {
		t.Fatalf("logins %d, PIN left %q", h.tok.loginCount(), pin)
	}
}

// TestPINTypedOnBlockedCardNeverSent: the reading finds the card blocked: the PIN typed
// meanwhile never reaches the card and is zeroed.
func TestPINTypedOnBlockedCardNeverSent(t *testing.T) {
	h := newHarness(t, Config{})
	_, gate := readingPIN(t, h, 0)
	pin := []byte("1234")
	h.e.Do(SubmitPIN{PIN: pin})
	h.wait("PIN held", func(s Snapshot) bool { return s.Busy })
	close(gate)
	s := h.settle(StepCardBlocked)
	if !errors.Is(s.Err, ErrPINLocked) || h.tok.loginCount() != 0 || string(pin) != "\x00\x00\x00\x00" {
		t.Fatalf("blocked card: err %v logins %d PIN left %q", s.Err, h.tok.loginCount(), pin)
	}
}

// TestCardPulledDuringReadingDropsPIN: the card leaves while it is read with a PIN held:
// home screen, the PIN zeroed and never sent, the late reading ignored.
func TestCardPulledDuringReadingDropsPIN(t *testing.T) {
	h := newHarness(t, Config{})
	_, gate := readingPIN(t, h, 3)
	pin := []byte("1234")
	h.e.Do(SubmitPIN{PIN: pin})
	h.wait("PIN held", func(s Snapshot) bool { return s.Busy })
	h.mon.remove(readerA)
	h.settle(StepWaitingCard)
	close(gate)
	h.e.Do(Cancel{})
	h.wait("engine alive", func(Snapshot) bool { return true })
	if s := h.e.Current(); s.Step != StepWaitingCard || h.tok.loginCount() != 0 || string(pin) != "\x00\x00\x00\x00" {
		t.Fatalf("after the pull: step %v logins %d PIN left %q", s.Step, h.tok.loginCount(), pin)
	}
}

// TestReadingStopsWhenCardPulled: the card leaves during its reading: the reading sends
// nothing more to the reader (a new card there may be read by the next flow already).
func TestReadingStopsWhenCardPulled(t *testing.T) {
	h := newHarness(t, Config{})
	_, gate := readingPIN(t, h, 3)
	h.mon.remove(readerA)
	h.settle(StepWaitingCard)
	// The home screen is published before the flow's context is cancelled: let the engine
	// finish with the removal (one more intent) before the card answers.
	h.e.Do(Cancel{})
	h.wait("engine alive", func(Snapshot) bool { return true })
	close(gate)
	time.Sleep(20 * time.Millisecond) // the stale reading's goroutine ends
	for _, l := range h.tr.all() {
		if l == "token:holder" {
			t.Fatalf("the stale reading went on to the holder: %v", h.tr.all())
		}
	}
}
