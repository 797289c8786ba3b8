package agent

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestRandomIntentsKeepInvariants throws random intents and card events at the engine: no
// panic, no deadlock, and the snapshots stay coherent (the banner and the lock screen always
// carry a session; the home screen never does).
func TestRandomIntentsKeepInvariants(t *testing.T) {
	for seed := range uint64(4) {
		chaos(t, seed)
	}
}

func chaos(t *testing.T, seed uint64) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.tok.put("Virtual PCD 35970 00 00", "DURAND Paul", "", 3)
	h.p.actions = []string{api.ActionChooseProfile, api.ActionLinkPhone, api.ActionSetOTPChannels}
	h.p.profiles = api.Profiles{Profiles: []api.Profile{{ID: "p1", Label: "ARM"}}}
	otpPortal(h)
	rng := rand.New(rand.NewPCG(seed, 2))
	readers := []string{readerA, "Virtual PCD 35970 00 00"}
	present := map[string]bool{}
	intents := []func() Intent{
		func() Intent { return ChooseCard{} }, func() Intent { return ChooseOTP{} },
		func() Intent { return ChoosePSC{} }, func() Intent { return Cancel{} },
		func() Intent {
			return SubmitPIN{PIN: []byte([]string{"1234", "1234", "1234", "0000", "12"}[rng.IntN(5)])}
		},
		func() Intent { return ChooseProfile{ID: "p1"} }, func() Intent { return LinkPhone{Number: "4242"} },
		func() Intent { return ChannelsDone{} }, func() Intent { return SubmitIdentifiant{Identifiant: "claire.martin"} },
		func() Intent { return SubmitPassword{Password: []byte("secret-Pw-2026")} },
		func() Intent { return SendCode{Kind: api.ChannelEmail} }, func() Intent { return SubmitCode{Code: "654321"} },
		func() Intent { return OpenSettings{} }, func() Intent { return OpenChangePhone{} },
		func() Intent { return Lock{} }, func() Intent { return SignOut{} },
	}
	for i := range 3000 {
		if i%50 == 0 {
			h.tok.refill() // a wrong PIN now and then must not block the cards for the whole walk
		}
		h.idle()
		if rng.IntN(5) == 0 {
			r := readers[rng.IntN(len(readers))]
			if present[r] {
				h.mon.remove(r)
			} else {
				h.mon.insert(r, rng.IntN(8) != 0)
			}
			present[r] = !present[r]
		} else {
			in := intents[rng.IntN(len(intents))]()
			if next := progress(h.e.Current().Step); next != nil && rng.IntN(10) < 7 {
				in = next // mostly the step's own next move, so that the walk goes deep
			}
			for !h.e.Do(in) { // queue full: let the engine catch up
				time.Sleep(time.Millisecond)
			}
		}
	}
	h.e.Do(Cancel{})
	h.wait("engine alive", func(Snapshot) bool { return true })
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.snaps {
		switch {
		case (s.Step == StepSignedIn || s.Step == StepLocked) && s.Session == nil:
			t.Fatalf("seed %d: %v without a session", seed, s.Step)
		case s.Step == StepPIN && s.Card == nil:
			t.Fatalf("seed %d: PIN screen without a card", seed)
		case s.Step == StepWaitingCard && s.Session != nil:
			t.Fatalf("seed %d: home screen with a session %+v", seed, s.Session)
		}
	}
	seen := map[Step]bool{}
	for _, s := range h.snaps {
		seen[s.Step] = true
	}
	for _, want := range []Step{StepPIN, StepChooseProfile, StepLinkPhone, StepSignedIn, StepLocked, StepOTPCode} {
		if !seen[want] {
			t.Errorf("seed %d: the random walk never reached %v", seed, want)
		}
	}
	if len(h.snaps) < 500 {
		t.Fatalf("seed %d: only %d snapshots for 3000 actions", seed, len(h.snaps))
	}
}

// idle waits (a little) until no call is in flight, so that the walk goes somewhere.
func (h *harness) idle() {
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); time.Sleep(50 * time.Microsecond) {
		if !h.e.Current().Busy && len(h.e.intents) == 0 {
			return
		}
	}
}

func (f *fakeToken) refill() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cards {
		c.tries = 3
	}
}

// progress is the intent that moves step forward.
func progress(step Step) Intent {
	switch step {
	case StepWaitingCard:
		return ChooseOTP{}
	case StepPIN:
		return SubmitPIN{PIN: []byte("1234")}
	case StepChooseProfile:
		return ChooseProfile{ID: "p1"}
	case StepLinkPhone:
		return LinkPhone{Number: "4242"}
	case StepOTPChannels:
		return ChannelsDone{}
	case StepOTPIdentifiant:
		return SubmitIdentifiant{Identifiant: "claire.martin"}
	case StepOTPPassword:
		return SubmitPassword{Password: []byte("secret-Pw-2026")}
	case StepOTPChannel:
		return SendCode{Kind: api.ChannelEmail}
	case StepOTPCode:
		return SubmitCode{Code: "654321", Remember: true}
	case StepLocked:
		return ChooseCard{}
	}
	return nil
}
