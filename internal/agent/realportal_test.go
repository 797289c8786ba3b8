package agent_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
)

// This file drives two engines (two workstations) against a real cpx-portal on loopback
// HTTPS (mutual TLS with test IGC-Santé certificates, SQLite store, SSE events), through the
// real Go client. The card side is a software key standing in for the card's, so that the
// test checks the engine against the portal's real answers and event stream.

const pin = "1234"

// softCard is a card with a software key: monitor, token and credential in one.
type softCard struct {
	ch     chan agent.CardEvent
	issued *pki.Issued
}

func (c *softCard) Events(ctx context.Context) <-chan agent.CardEvent { return c.ch }
func (c *softCard) TriesLeft(ctx context.Context, reader string) (int, error) {
	return 3, nil
}
func (c *softCard) HolderName(ctx context.Context, reader string) (string, error) {
	return c.issued.Holder.GivenName + " " + c.issued.Holder.Surname, nil
}
func (c *softCard) Login(ctx context.Context, reader string, p []byte) (agent.Credential, error) {
	if string(p) != pin {
		return nil, &agent.PINError{TriesLeft: 2}
	}
	return softCred{c.issued}, nil
}
func (c *softCard) insert() {
	c.ch <- agent.CardEvent{Kind: agent.CardInserted, Reader: "r", Known: true}
}
func (c *softCard) remove() { c.ch <- agent.CardEvent{Kind: agent.CardRemoved, Reader: "r"} }

type softCred struct{ is *pki.Issued }

func (s softCred) Signer() crypto.Signer          { return s.is.Key }
func (s softCred) Certificate() *x509.Certificate { return s.is.Cert }
func (s softCred) Close() error                   { return nil }

// portal is the real client, recording the session tokens it got.
type portal struct {
	*client.Client
	mu     sync.Mutex
	tokens []string
}

func (p *portal) SignInCard(ctx context.Context, signer crypto.Signer, cert *x509.Certificate, ws string) (api.SignIn, error) {
	si, err := p.Client.SignInCard(ctx, signer, cert, ws)
	if err == nil {
		p.mu.Lock()
		p.tokens = append(p.tokens, si.Token)
		p.mu.Unlock()
	}
	return si, err
}

func (p *portal) token(i int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens[i]
}

// station is one workstation: an engine, its card and its snapshot stream.
type station struct {
	t    *testing.T
	e    *agent.Engine
	card *softCard
	p    *portal
	keys *keystore.Memory
	snap <-chan agent.Snapshot
}

func newStation(t *testing.T, pt *portaltest.Portal, ws string, is *pki.Issued) *station {
	c, err := client.New(pt.URL, client.Options{RootCAs: pt.Roots})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	st := &station{t: t, card: &softCard{ch: make(chan agent.CardEvent), issued: is}, p: &portal{Client: c},
		keys: keystore.NewMemory()}
	st.e = agent.New(agent.Config{Workstation: ws}, agent.Deps{Cards: st.card, Token: st.card, Portal: st.p,
		Keys: st.keys})
	st.snap = st.e.Notify()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = st.e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return st
}

// until waits for a settled snapshot (no call in flight) that satisfies ok.
func (st *station) until(what string, ok func(agent.Snapshot) bool) agent.Snapshot {
	st.t.Helper()
	deadline := time.After(20 * time.Second)
	var last agent.Snapshot
	for {
		select {
		case s := <-st.snap:
			last = s
			if !s.Busy && ok(s) {
				return s
			}
		case <-deadline:
			st.t.Fatalf("timed out waiting for %s; last: step %v err %v", what, last.Step, last.Err)
		}
	}
}

func (st *station) at(step agent.Step) agent.Snapshot {
	st.t.Helper()
	return st.until(step.String(), func(s agent.Snapshot) bool { return s.Step == step })
}

// signInToPhone: card, PIN, the portal's profile, then the phone screen.
func (st *station) signInToPhone() agent.Snapshot {
	st.t.Helper()
	st.card.insert()
	st.at(agent.StepPIN)
	st.e.Do(agent.SubmitPIN{PIN: []byte(pin)})
	s := st.at(agent.StepChooseProfile)
	if len(s.Profiles) != 1 || s.Profiles[0].Entity.ID != portaltest.Entity {
		st.t.Fatalf("profiles from the portal: %+v", s.Profiles)
	}
	st.e.Do(agent.ChooseProfile{ID: s.Profiles[0].ID})
	return st.at(agent.StepLinkPhone)
}

var seq struct {
	sync.Mutex
	n int
}

func holder(t *testing.T, pt *portaltest.Portal, given, sur string) *pki.Issued {
	seq.Lock()
	seq.n++
	h := pki.Holder{NationalID: fmt.Sprintf("3%s/2%08d", pki.DemoFINESS, seq.n), Surname: sur, GivenName: given,
		Title: "Carte de service santé ou social"}
	seq.Unlock()
	pt.Enroll(t, h)
	is, err := pt.PKI.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	return is
}
