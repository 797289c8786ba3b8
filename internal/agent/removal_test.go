package agent

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestRemovalLocksAtOnce: with the lock policy, pulling the card publishes StepLocked as the
// very next thing after the event (no call, no other snapshot first); the same card and its
// PIN resume the same portal session.
func TestRemovalLocksAtOnce(t *testing.T) {
	h := newHarness(t, Config{RemovalPolicy: RemovalLock})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	signed := h.signInCard(readerA)
	h.eventually("event stream open", func() bool { return h.p.called("Events") == 1 })

	h.mon.remove(readerA)
	s := h.settle(StepLocked)
	next := after(h.tr.all(), "card:removed:")
	if len(next) == 0 || next[0] != "snap:locked" {
		t.Fatalf("after the removal event, first came %v; want snap:locked", next)
	}
	if s.Card != nil || s.Session == nil || s.Session.ID != signed.Session.ID {
		t.Fatalf("locked snapshot: card %+v session %+v", s.Card, s.Session)
	}
	if h.p.called("SignOut") != 0 {
		t.Fatal("lock policy signed the session out")
	}

	h.mon.insert(readerA, true)
	if s = h.settle(StepPIN); s.Notice != "" {
		t.Fatalf("same card: notice %q", s.Notice)
	}
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s = h.settle(StepSignedIn)
	if s.Session.ID != signed.Session.ID || h.p.called("SignInCard") != 1 || h.p.called("Session") != 1 {
		t.Fatalf("not resumed: session %s, SignInCard %d, Session %d", s.Session.ID,
			h.p.called("SignInCard"), h.p.called("Session"))
	}
}

// TestLockedAnotherCardSignsFirstOut: another holder's card signs the locked user out, then
// signs its own holder in.
func TestLockedAnotherCardSignsFirstOut(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.mon.remove(readerA)
	h.settle(StepLocked)

	h.tok.put(readerA, "DURAND Paul", "", 3)
	h.mon.insert(readerA, true)
	s := h.settle(StepPIN)
	if s.Notice != NoticePreviousUserSignedOut || s.Session != nil {
		t.Fatalf("other card: notice %q session %+v", s.Notice, s.Session)
	}
	h.eventually("sign-out of the first user", func() bool { return h.p.wasSignedOut("tok-1") })
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s = h.settle(StepSignedIn)
	if s.Session.User.Identifiant != "DURAND Paul" || h.p.called("SignInCard") != 2 {
		t.Fatalf("second user: %+v", s.Session.User)
	}
	lines := h.tr.all()
	signIns := []int{}
	for i, l := range lines {
		if l == "portal:SignInCard" {
			signIns = append(signIns, i)
		}
	}
	if i := slices.Index(lines, "portal:SignOut"); i < 0 || len(signIns) != 2 || i > signIns[1] {
		t.Fatalf("sign-out of the first user must come before the second sign-in: %v", lines)
	}
}

// TestLockedSameNameOtherCertificate: a card with the same holder name but another
// certificate is another card: caught after the PIN, the first session is signed out.
func TestLockedSameNameOtherCertificate(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.mon.remove(readerA)
	h.settle(StepLocked)
	h.tok.put(readerA, "MARTIN Claire", "", 3) // new certificate
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s := h.settle(StepSignedIn)
	if s.Session.ID == "s1" {
		t.Fatalf("other certificate resumed the first session: %+v", s.Session)
	}
	h.eventually("sign-out of the first session", func() bool { return h.p.wasSignedOut("tok-1") })
}

// TestRemovalSignOutPolicy: the snapshot goes first, the portal sign-out after.
func TestRemovalSignOutPolicy(t *testing.T) {
	h := newHarness(t, Config{RemovalPolicy: RemovalSignOut})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.eventually("event stream open", func() bool { return h.p.called("Events") == 1 })
	h.mon.remove(readerA)
	s := h.settle(StepWaitingCard)
	if s.Session != nil || s.Notice != NoticeSignedOutCardRemoved {
		t.Fatalf("signed-out snapshot: %+v", s)
	}
	h.eventually("portal sign-out", func() bool { return h.p.wasSignedOut("tok-1") })
	next := after(h.tr.all(), "card:removed:")
	if next[0] != "snap:waiting_card" {
		t.Fatalf("after the removal event, first came %v", next)
	}
}

// TestResumeExpiredSession: the portal no longer knows the locked session: the holder is
// signed in again with the card already unlocked.
func TestResumeExpiredSession(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.e.Do(Lock{})
	h.settle(StepLocked)
	h.p.mu.Lock()
	h.p.sessErr["tok-1"] = errSessionExpired
	h.p.mu.Unlock()
	h.e.Do(ChooseCard{}) // card still in the reader: "Déverrouiller"
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s := h.settle(StepSignedIn)
	if s.Session.ID != "s2" || h.p.called("SignInCard") != 2 || h.tok.loginCount() != 2 {
		t.Fatalf("not signed in again: %+v", s.Session)
	}
}

// TestStaleLoginDiscarded: the card is pulled while Login runs; its late success is thrown
// away (key closed, no sign-in).
func TestStaleLoginDiscarded(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.tok.gate = make(chan struct{})
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.wait("PIN check in flight", func(s Snapshot) bool { return s.Busy && s.BusyLabel == BusyPINChecking })
	h.mon.remove(readerA)
	s := h.settle(StepWaitingCard)
	if !errors.Is(s.Err, ErrCardRemoved) || MessageKey(s.Err) != "card_removed" {
		t.Fatalf("interrupted sign-in: %v", s.Err)
	}
	close(h.tok.gate)
	h.eventually("stale credential closed", func() bool { return h.tok.closedCount() == 1 })
	if h.p.called("SignInCard") != 0 || h.e.Current().Step != StepWaitingCard {
		t.Fatalf("stale login used: SignInCard %d step %v", h.p.called("SignInCard"), h.e.Current().Step)
	}
}

// TestPINRules: bad input burns no try; the last wrong try blocks; a blocked card says so
// before any PIN.
func TestPINRules(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 1)
	h.mon.insert(readerA, true)
	if s := h.settle(StepPIN); s.TriesLeft != 1 {
		t.Fatalf("tries %d", s.TriesLeft)
	}
	for _, bad := range []string{"", "123", "12345", "12a4", "１２３４"} {
		pin := []byte(bad)
		h.e.Do(SubmitPIN{PIN: pin})
		s := h.settle(StepPIN)
		if !errors.Is(s.Err, ErrPINFormat) || strings.Trim(string(pin), "\x00") != "" {
			t.Fatalf("%q: err %v, pin left %q", bad, s.Err, pin)
		}
	}
	if n := h.tok.loginCount(); n != 0 {
		t.Fatalf("badly formed PINs reached the card %d times", n)
	}
	h.e.Do(SubmitPIN{PIN: []byte("9999")})
	s := h.settle(StepCardBlocked)
	if !errors.Is(s.Err, ErrPINLocked) || s.TriesLeft != 0 || MessageKey(s.Err) != "pin_locked" {
		t.Fatalf("blocked: %v tries %d", s.Err, s.TriesLeft)
	}
	h.mon.remove(readerA)
	h.settle(StepWaitingCard)
	h.mon.insert(readerA, true) // still blocked: said before asking the PIN
	h.settle(StepCardBlocked)
	if n := h.tok.loginCount(); n != 1 {
		t.Fatalf("Login calls %d, want 1", n)
	}
}

func TestUnknownCard(t *testing.T) {
	h := newHarness(t, Config{})
	h.mon.insert(readerA, false)
	s := h.settle(StepCardUnknown)
	if !errors.Is(s.Err, ErrCardUnknown) || MessageKey(s.Err) != "card_unknown" {
		t.Fatalf("unknown card: %v", s.Err)
	}
	h.mon.remove(readerA)
	if s = h.settle(StepWaitingCard); s.Card != nil || s.Err != nil {
		t.Fatalf("after removal: %+v", s)
	}
}

// TestLockedCardGoneDuringLogin: the token says the card left before the monitor does: a
// locked session stays locked (never back to the home screen with the session open).
func TestLockedCardGoneDuringLogin(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.mon.remove(readerA)
	h.settle(StepLocked)
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.tok.mu.Lock()
	delete(h.tok.cards, readerA)
	h.tok.mu.Unlock()
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	s := h.settle(StepLocked)
	if !errors.Is(s.Err, ErrCardRemoved) || s.Session == nil {
		t.Fatalf("card gone while unlocking: err %v session %v", s.Err, s.Session)
	}
}
