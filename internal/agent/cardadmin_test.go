package agent

import (
	"context"
	"errors"
	"testing"
)

// The fake token's card self-service, with internal/token's rules: the old PIN or the PUK
// checked first (a try each), the new PIN set after.
const fakePUK = "12345678"

func (f *fakeToken) ChangePIN(ctx context.Context, reader string, old, new []byte) error {
	c, err := f.card(reader)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins = append(f.pins, old, new)
	switch {
	case c.tries == 0:
		return ErrPINLocked
	case string(old) != c.pin:
		c.tries--
		if c.tries == 0 {
			return ErrPINLocked
		}
		return &PINError{TriesLeft: c.tries}
	}
	c.pin, c.tries = string(new), 3
	return nil
}

func (f *fakeToken) Unblock(ctx context.Context, reader string, puk, new []byte) error {
	c, err := f.card(reader)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins = append(f.pins, puk, new)
	if string(puk) != fakePUK {
		return &PUKError{TriesLeft: 9}
	}
	c.pin, c.tries = string(new), 3
	return nil
}

func zeroed(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// TestCardUnblock: from the blocked card's screen, a wrong PUK (tries shown), then the right
// one and a new PIN: back to the PIN screen, the card signs in with the new PIN. Every
// secret is zeroed, and nothing is sent when the two new PINs differ.
func TestCardUnblock(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 0)
	h.mon.insert(readerA, true)
	h.settle(StepCardBlocked)
	h.e.Do(OpenCardUnblock{})
	h.settle(StepCardUnblock)

	puk, pin, again := []byte(fakePUK), []byte("4321"), []byte("4322")
	h.e.Do(SubmitCardUnblock{PUK: puk, New: pin, Confirm: again})
	s := h.wait("mismatch", func(s Snapshot) bool { return s.Err != nil })
	if !errors.Is(s.Err, ErrPINConfirm) || MessageKey(s.Err) != KeyPINConfirm || !zeroed(puk) || !zeroed(pin) || len(h.tok.pins) != 0 {
		t.Fatalf("mismatch: err %v, secrets %q %q, sent %d", s.Err, puk, pin, len(h.tok.pins))
	}
	h.e.Do(SubmitCardUnblock{PUK: []byte("1234567"), New: []byte("4321"), Confirm: []byte("4321")})
	if s = h.wait("format", func(s Snapshot) bool { return errors.Is(s.Err, ErrPUKFormat) }); len(h.tok.pins) != 0 {
		t.Fatal("a short PUK reached the card")
	}
	h.e.Do(SubmitCardUnblock{PUK: []byte("87654321"), New: []byte("4321"), Confirm: []byte("4321")})
	s = h.wait("wrong PUK", func(s Snapshot) bool { return errors.Is(s.Err, ErrPUKIncorrect) })
	if pe := (*PUKError)(nil); !errors.As(s.Err, &pe) || pe.TriesLeft != 9 || MessageKey(s.Err) != KeyPUKIncorrect || s.Step != StepCardUnblock {
		t.Fatalf("wrong PUK: %v on %v", s.Err, s.Step)
	}
	h.e.Do(SubmitCardUnblock{PUK: []byte(fakePUK), New: []byte("4321"), Confirm: []byte("4321")})
	s = h.settle(StepPIN)
	if s.Notice != NoticeCardUnblocked || s.TriesLeft != 3 {
		t.Fatalf("after unblock: notice %q tries %d", s.Notice, s.TriesLeft)
	}
	for i, b := range h.tok.pins {
		if !zeroed(b) {
			t.Fatalf("secret %d not zeroed: %q", i, b)
		}
	}
	h.e.Do(SubmitPIN{PIN: []byte("4321")})
	h.settle(StepSignedIn)
}

// TestCardPINChange: from the PIN screen, a wrong current PIN uses one try (shown, never
// retried), the right one changes the PIN; Esc goes back to the PIN screen.
func TestCardPINChange(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(OpenCardPINChange{})
	h.settle(StepCardPINChange)
	h.e.Do(Cancel{})
	h.settle(StepPIN)
	h.e.Do(OpenCardPINChange{})
	h.settle(StepCardPINChange)
	h.e.Do(SubmitCardPINChange{Old: []byte("0000"), New: []byte("5678"), Confirm: []byte("5678")})
	s := h.wait("wrong PIN", func(s Snapshot) bool { return s.Err != nil })
	if pe := (*PINError)(nil); !errors.As(s.Err, &pe) || pe.TriesLeft != 2 || len(h.tok.pins) != 2 {
		t.Fatalf("wrong current PIN: %v, %d secrets sent", s.Err, len(h.tok.pins))
	}
	h.e.Do(SubmitCardPINChange{Old: []byte("1234"), New: []byte("5678"), Confirm: []byte("5678")})
	if s = h.settle(StepPIN); s.Notice != NoticePINChanged {
		t.Fatalf("notice %q", s.Notice)
	}
	h.e.Do(SubmitPIN{PIN: []byte("5678")})
	h.settle(StepSignedIn)
	for i, b := range h.tok.pins {
		if !zeroed(b) {
			t.Fatalf("secret %d not zeroed: %q", i, b)
		}
	}
}
