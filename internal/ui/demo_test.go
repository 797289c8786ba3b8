package ui

import (
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// next waits for the demo's next settled (not busy) snapshot.
func next(t *testing.T, d *DemoEngine) agent.Snapshot {
	t.Helper()
	for {
		select {
		case s := <-d.Notify():
			if !s.Busy {
				return s
			}
		case <-time.After(5 * time.Second):
			t.Fatal("demo engine sent nothing")
		}
	}
}

func TestDemoEngineWalksTheCardFlow(t *testing.T) {
	d := NewDemoEngine("")
	d.delay = time.Millisecond
	if s := next(t, d); s.Step != agent.StepWaitingCard {
		t.Fatalf("demo starts at %v", s.Step)
	}
	steps := []struct {
		in   agent.Intent
		want agent.Step
	}{
		{agent.ChooseCard{}, agent.StepPIN},
		{agent.SubmitPIN{PIN: []byte("0000")}, agent.StepPIN},
		{agent.SubmitPIN{PIN: []byte("1234")}, agent.StepChooseProfile},
		{agent.ChooseProfile{ID: "p-arm"}, agent.StepLinkPhone},
		{agent.LinkPhone{Number: "4000"}, agent.StepLinkPhone},
		{agent.LinkPhone{Number: "4000", Takeover: true}, agent.StepSignedIn},
		{agent.OpenChannels{}, agent.StepOTPChannels},
		{agent.ChannelsDone{}, agent.StepSignedIn},
		{agent.Lock{}, agent.StepLocked},
		{agent.SignOut{}, agent.StepWaitingCard},
	}
	for i, st := range steps {
		if !d.Do(st.in) {
			t.Fatalf("step %d: intent dropped", i)
		}
		s := next(t, d)
		if s.Step != st.want {
			t.Fatalf("step %d (%T): at %v, want %v", i, st.in, s.Step, st.want)
		}
		if i == 1 && (s.TriesLeft != 2 || agent.MessageKey(s.Err) != agent.KeyPINIncorrect) {
			t.Fatalf("wrong PIN: tries %d, err %v", s.TriesLeft, s.Err)
		}
		if i == 4 && agent.MessageKey(s.Err) != api.CodePhoneTaken {
			t.Fatalf("phone 4000: err %v, want phone_taken", s.Err)
		}
	}
}

func TestDemoScreensCoverEveryStep(t *testing.T) {
	seen := map[agent.Step]bool{}
	for _, s := range DemoScreens() {
		seen[s.Snap.Step] = true
	}
	for st := agent.StepWaitingCard; st <= agent.StepSettings; st++ {
		if !seen[st] {
			t.Errorf("no demo screen (and so no golden nor screenshot) for step %v", st)
		}
	}
}
