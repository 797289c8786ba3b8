package ui

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// DemoEngine is a stand-in flow engine for demos and screenshots ONLY: it walks the screens
// with fictitious data (PIN "0000" is wrong, phone "4000" is taken) and touches no card,
// network or storage. The real engine is internal/agent's, wired by cmd/cpx-agent.
type DemoEngine struct {
	mu    sync.Mutex
	snap  agent.Snapshot
	back  agent.Step // where Cancel returns from the settings
	ch    chan agent.Snapshot
	delay time.Duration
	trace io.Writer
}

// Trace writes one line per intent type and per published step to w (never a value typed).
func (d *DemoEngine) Trace(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.trace = w
}

// NewDemoEngine starts a demo at screen (a DemoScreens name; "" for home).
func NewDemoEngine(screen string) *DemoEngine {
	d := &DemoEngine{ch: make(chan agent.Snapshot, 64), delay: 700 * time.Millisecond}
	d.snap = agent.Snapshot{Step: agent.StepWaitingCard, TriesLeft: -1}
	for _, s := range DemoScreens() {
		if s.Name == screen {
			d.snap = s.Snap
		}
	}
	d.ch <- d.snap
	return d
}

// Notify is the stream of snapshots.
func (d *DemoEngine) Notify() <-chan agent.Snapshot { return d.ch }

// set publishes the next snapshot (callers hold mu).
func (d *DemoEngine) set(s agent.Snapshot) {
	if d.trace != nil {
		fmt.Fprintf(d.trace, "demo: step %v busy=%v\n", s.Step, s.Busy)
	}
	d.snap = s
	d.ch <- s
}

// later publishes s after the demo's "network" delay, showing a busy state meanwhile.
func (d *DemoEngine) later(busy string, s agent.Snapshot) {
	b := d.snap
	b.Busy, b.BusyLabel, b.Err = true, busy, nil
	d.set(b)
	time.AfterFunc(d.delay, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.set(s)
	})
}

// Do plays intent i. It never drops one.
func (d *DemoEngine) Do(i agent.Intent) bool {
	d.play(i)
	return true
}

func (d *DemoEngine) play(i agent.Intent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.trace != nil {
		fmt.Fprintf(d.trace, "demo: intent %T\n", i)
	}
	s := d.snap
	s.Err, s.Notice, s.Busy = nil, "", false
	step := func(st agent.Step) agent.Snapshot { s.Step = st; return s }
	switch in := i.(type) {
	case agent.ChooseCard:
		s.Card = demoCard // the real engine too shows the PIN screen at once
		d.set(step(agent.StepPIN))
	case agent.SubmitPIN:
		d.pin(s, string(in.PIN))
		clear(in.PIN)
	case agent.ChooseProfile:
		s.LastProfileID, s.LastPhone = in.ID, "4021"
		d.set(step(agent.StepLinkPhone))
	case agent.LinkPhone:
		d.phone(s, in)
	case agent.ChooseOTP:
		d.set(step(agent.StepOTPIdentifiant))
	case agent.SubmitIdentifiant:
		s.Identifiant = in.Identifiant
		d.set(step(agent.StepOTPPassword))
	case agent.SubmitPassword:
		clear(in.Password)
		s.OTPChannels = demoOTP
		d.later(agent.BusySigningIn, step(agent.StepOTPChannel))
	case agent.SendCode:
		s.OTPSentTo = demoOTP[0].Masked
		if in.Kind == api.ChannelEmail {
			s.OTPSentTo = demoOTP[1].Masked
		}
		d.later(agent.BusyOTPSending, step(agent.StepOTPCode))
	case agent.SubmitCode:
		s.Session, s.TimeLeft = demoSession(""), 8*time.Hour
		d.later(agent.BusyOTPVerifying, step(agent.StepLinkPhone))
	default:
		d.menu(s, i)
	}
}

func (d *DemoEngine) pin(s agent.Snapshot, pin string) {
	if pin == "0000" {
		if s.TriesLeft < 0 {
			s.TriesLeft = 3
		}
		s.TriesLeft--
		if s.TriesLeft == 0 {
			s.Step = agent.StepCardBlocked
		}
		s.Err = &agent.PINError{TriesLeft: s.TriesLeft}
		d.later(agent.BusyPINChecking, s)
		return
	}
	s.TriesLeft = -1
	if s.Step == agent.StepLocked {
		s.Step = agent.StepSignedIn
	} else {
		s.Step, s.Profiles, s.LastProfileID = agent.StepChooseProfile, demoProfiles, "p-arm"
	}
	d.later(agent.BusySigningIn, s)
}

func (d *DemoEngine) phone(s agent.Snapshot, in agent.LinkPhone) {
	if in.Number == "4000" && !in.Takeover {
		s.Err, s.Holder = &api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "Marie Martin"}}, "Marie Martin"
		d.later(agent.BusyPhoneLinking, s)
		return
	}
	if s.Session == nil {
		s.Session = demoSession("")
	}
	sess := *s.Session
	sess.Phone = in.Number
	s.Session, s.Step, s.TimeLeft = &sess, agent.StepSignedIn, 8*time.Hour
	d.later(agent.BusyPhoneLinking, s)
}
