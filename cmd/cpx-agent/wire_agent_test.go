package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/cardtoken"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// quiet drops the logs (module choice lines would cut the benchmark's result line).
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// agentPort is the vpcd port of the agent end-to-end tests (docs/architecture.md).
const agentPort = 35969

// TestAgentFullStack runs the flow engine on the real parts: a virtual CPx card in a vpcd
// reader seen by pcscd, the PC/SC monitor, OpenSC's PKCS#11 module, the portal client and a
// real portal (mutual TLS with the card's key). Wrong PIN, right PIN, profile, phone; the
// card pulled locks, the same card resumes the session; sign-out ends it at the portal.
// It runs in a child process of its own (testrig.RunInChild): OpenSC reads OPENSC_CONF once
// per process, and an earlier test of this package may have initialised it for another reader.
func TestAgentFullStack(t *testing.T) {
	if os.Getenv(testrig.ChildEnv) == "" {
		testrig.RunInChild(t, "TestAgentFullStack", "isolated")
		return
	}
	testrig.RequirePCSCD(t)
	reader := testrig.ReaderForPort(agentPort)
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, reader))
	vc := testrig.StartCard(t, agentPort, "cpe")
	pt := portaltest.Start(t, "sqlite")
	pt.Enroll(t, vc.Holder.Holder)

	pc, err := client.New(pt.URL, client.Options{RootCAs: pt.Roots})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	tokens := cardtoken.New(cardtoken.Options{Modules: []string{testrig.OpenSCModule(t)}, Logger: quiet})
	defer tokens.Close()
	rp := &recordingPortal{Client: pc}
	mon := &cardPort{m: card.NewMonitor(card.Options{Reader: reader, Logger: quiet}), removed: tokens.Drop}
	e := agent.New(agent.Config{Workstation: "ws-e2e"}, agent.Deps{Cards: mon, Token: tokens,
		Portal: rp, Keys: keystore.NewMemory()})
	snaps := e.Notify()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	until := func(step agent.Step) agent.Snapshot {
		t.Helper()
		deadline := time.After(30 * time.Second)
		var last agent.Snapshot
		for {
			select {
			case s := <-snaps:
				last = s
				if s.Step == step && !s.Busy && !s.Reading {
					return s
				}
			case <-deadline:
				t.Fatalf("timed out waiting for %v; last step %v err %v", step, last.Step, last.Err)
			}
		}
	}

	s := until(agent.StepPIN)
	if s.Card == nil || s.Card.HolderName == "" || s.Card.Serial != hex.EncodeToString(vc.Serial()) || s.TriesLeft != 3 {
		t.Fatalf("PIN screen: %+v tries %d", s.Card, s.TriesLeft)
	}
	e.Do(agent.SubmitPIN{PIN: []byte("0000")})
	s = until(agent.StepPIN)
	var pe *agent.PINError
	if !errors.As(s.Err, &pe) || s.TriesLeft >= 3 {
		t.Fatalf("wrong PIN: %v, tries %d", s.Err, s.TriesLeft)
	}
	e.Do(agent.SubmitPIN{PIN: []byte("1234")})
	s = until(agent.StepChooseProfile)
	if s.Session == nil || s.Session.User.NationalID != vc.Holder.Holder.NationalID {
		t.Fatalf("signed in as %+v", s.Session)
	}
	e.Do(agent.ChooseProfile{ID: s.Profiles[0].ID})
	until(agent.StepLinkPhone)
	e.Do(agent.LinkPhone{Number: "1002"})
	s = until(agent.StepSetPassword)
	session := s.Session.ID

	t0 := time.Now()
	if err := vc.Remove(); err != nil {
		t.Fatal(err)
	}
	until(agent.StepLocked)
	t.Logf("card pulled → locked snapshot: %v (pcscd polling included)", time.Since(t0))
	if err := vc.Insert(); err != nil {
		t.Fatal(err)
	}
	until(agent.StepPIN)
	e.Do(agent.SubmitPIN{PIN: []byte("1234")})
	if s = until(agent.StepSetPassword); s.Session.ID != session {
		t.Fatalf("resumed session %s, want %s", s.Session.ID, session)
	}
	e.Do(agent.SignOut{})
	until(agent.StepWaitingCard)
	tok := rp.last()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := pc.Session(context.Background(), tok)
		if api.CodeOf(err) == api.CodeUnauthenticated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session alive at the portal after sign-out: %v", err)
		}
	}
	if n := rp.count(); n != 1 {
		t.Fatalf("%d card sign-ins, want 1 (the lock resumed the session)", n)
	}
}

// recordingPortal keeps the session tokens the card sign-ins got.
type recordingPortal struct {
	*client.Client
	mu     sync.Mutex
	tokens []string
}

func (p *recordingPortal) SignInCard(ctx context.Context, signer crypto.Signer, cert *x509.Certificate, ws string) (api.SignIn, error) {
	si, err := p.Client.SignInCard(ctx, signer, cert, ws)
	if err == nil {
		p.mu.Lock()
		p.tokens = append(p.tokens, si.Token)
		p.mu.Unlock()
	}
	return si, err
}

func (p *recordingPortal) last() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens[len(p.tokens)-1]
}

func (p *recordingPortal) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.tokens)
}

func TestCardEventMapping(t *testing.T) {
	cases := []struct {
		in   card.EventKind
		want agent.CardEventKind
		ok   bool
	}{
		{card.ReaderAdded, agent.ReaderAdded, true}, {card.ReaderRemoved, agent.ReaderRemoved, true},
		{card.CardInserted, agent.CardInserted, true}, {card.CardRemoved, agent.CardRemoved, true},
		{card.ServiceDown, agent.MonitorDown, true}, {card.ServiceUp, 0, false},
	}
	for _, c := range cases {
		ev := card.Event{Kind: c.in, Reader: "r", ATR: []byte{0x3b}, Card: card.Identification{Known: true, Family: "CPx", Generation: "CPS4"}}
		got, ok := cardEvent(ev)
		if ok != c.ok || (ok && (got.Kind != c.want || got.Reader != "r" || !got.Known || got.Generation != "CPS4")) {
			t.Errorf("%v → %+v %v", c.in, got, ok)
		}
	}
}

// benchPort is the vpcd port of the benchmarks (docs/architecture.md).
const benchPort = 35970

// BenchmarkRealCardRemovalToLocked measures, on the real stack (vcard in a vpcd reader,
// pcscd, the PC/SC monitor, OpenSC, a real portal session), the time from pulling the card
// to the engine's StepLocked snapshot. pcscd's own polling of vpcd (~400 ms) is included.
// Goal: within 1 s (issue: lock or sign out within 1 s of the removal).
func BenchmarkRealCardRemovalToLocked(b *testing.B) {
	testrig.RequirePCSCD(b)
	reader := testrig.ReaderForPort(benchPort)
	b.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(b, reader))
	vc := testrig.StartCard(b, benchPort, "cpe")
	pt := portaltest.Start(b, "sqlite")
	pt.Enroll(b, vc.Holder.Holder)
	pc, err := client.New(pt.URL, client.Options{RootCAs: pt.Roots})
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	tokens := cardtoken.New(cardtoken.Options{Modules: []string{testrig.OpenSCModule(b)}, Logger: quiet})
	defer tokens.Close()
	mon := &cardPort{m: card.NewMonitor(card.Options{Reader: reader, Logger: quiet}), removed: tokens.Drop}
	e := agent.New(agent.Config{Workstation: "ws-bench"}, agent.Deps{Cards: mon, Token: tokens,
		Portal: pc, Keys: keystore.NewMemory()})
	snaps := e.Notify()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	until := func(step agent.Step) {
		deadline := time.After(30 * time.Second)
		for {
			select {
			case s := <-snaps:
				if s.Step == step && !s.Busy && !s.Reading {
					return
				}
			case <-deadline:
				b.Fatalf("timed out waiting for %v", step)
			}
		}
	}
	until(agent.StepPIN)
	e.Do(agent.SubmitPIN{PIN: []byte("1234")})
	until(agent.StepChooseProfile)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := vc.Remove(); err != nil {
			b.Fatal(err)
		}
		until(agent.StepLocked)
		total += time.Since(t0)
		b.StopTimer()
		if err := vc.Insert(); err != nil {
			b.Fatal(err)
		}
		until(agent.StepPIN)
		e.Do(agent.SubmitPIN{PIN: []byte("1234")})
		until(agent.StepChooseProfile)
		b.StartTimer()
	}
	per := float64(total.Nanoseconds()) / float64(b.N)
	b.ReportMetric(per/1e6, "ms/event")
	b.ReportMetric(1000, "goal-ms")
	b.ReportMetric(per/1e9, "ratio")
}
