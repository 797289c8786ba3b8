package agent

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestSessionKeyringPolicy: with SessionKeyring the token is kept in the keyring while signed
// in, removed at sign-out, and a token left by a crashed run is signed out at start.
func TestSessionKeyringPolicy(t *testing.T) {
	h := newHarness(t, Config{SessionStore: SessionKeyring})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	v, err := h.keys.Get("session/samu-ws-01")
	var stored struct{ Token string }
	if err != nil || json.Unmarshal([]byte(v), &stored) != nil || stored.Token != "tok-1" {
		t.Fatalf("token not in the keyring: %v %q", err, v)
	}
	h.e.Do(SignOut{})
	h.settle(StepWaitingCard)
	if _, err := h.keys.Get("session/samu-ws-01"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token left after sign-out: %v", err)
	}

	crashed := newHarness(t, Config{SessionStore: SessionKeyring}, func(d *Deps) {
		_ = d.Keys.Set("session/samu-ws-01", `{"token":"left-over"}`)
	})
	crashed.eventually("leftover session signed out", func() bool { return crashed.p.wasSignedOut("left-over") })
	if _, err := crashed.keys.Get("session/samu-ws-01"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("leftover token kept: %v", err)
	}
}

// TestMemoryPolicyKeepsNoToken: the default keeps the session token out of the keyring.
func TestMemoryPolicyKeepsNoToken(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.keys.mu.Lock()
	n := len(h.keys.m)
	h.keys.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d secrets stored with the memory policy", n)
	}
}

// TestCancelWhileSigningIn: "Annuler" during the portal call drops it; a PIN sent while busy
// is ignored and zeroed.
func TestCancelWhileSigningIn(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.gateSignIn = make(chan struct{})
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.wait("signing in", func(s Snapshot) bool { return s.Step == StepSigningIn && s.Busy })
	late := []byte("1234")
	h.e.Do(SubmitPIN{PIN: late})
	h.e.Do(Cancel{})
	s := h.settle(StepWaitingCard)
	if s.Session != nil || s.Card == nil {
		t.Fatalf("after cancel: %+v", s)
	}
	if string(late) != "\x00\x00\x00\x00" || h.tok.loginCount() != 1 {
		t.Fatalf("PIN sent while busy: zeroed %v, logins %d", string(late) == "\x00\x00\x00\x00", h.tok.loginCount())
	}
	h.e.Do(ChooseCard{}) // "CPX": the card still in the reader is asked for its PIN again
	h.settle(StepPIN)
}

func TestSettingsReturns(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	h.e.Do(Cancel{})
	if s := h.settle(StepSignedIn); s.Session == nil {
		t.Fatal("settings lost the session")
	}
	h.e.Do(ChooseCard{}) // not allowed while signed in
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	if n := h.tok.loginCount(); n != 1 {
		t.Fatalf("ChooseCard while signed in reached the card: %d logins", n)
	}
}

// TestSignOutOnExit: stopping the engine ends the portal session (its token dies with it).
func TestSignOutOnExit(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.stop()
	if !h.p.wasSignedOut("tok-1") {
		t.Fatal("session left open at exit")
	}
}
