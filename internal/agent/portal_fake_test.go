package agent

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// fakePortal is a small in-memory portal: sessions by token, required actions cleared by the
// calls that do them, scripted errors where a test needs them.
type fakePortal struct {
	mu    sync.Mutex
	tr    *trace
	clock *fakeClock
	calls []string
	n     int

	sess       map[string]*api.Session
	sessErr    map[string]error // Session(token) fails with this
	actions    []string         // required actions of the next card sign-in
	holderOf   map[string]string
	profiles   api.Profiles
	policy     api.PasswordPolicy
	channels   []api.Channel
	linkErr    func(req api.LinkPhoneRequest) error
	signInErr  error
	pwSignIn   func(id string, pw []byte, device string) (api.PasswordSignInResponse, error)
	verify     func(code string, remember bool) (api.SignIn, error)
	events     map[string]chan api.Event
	signedOut  []string
	gateSignIn chan struct{}
	secret     [2]string // question and answer last set
}

func newFakePortal(tr *trace, clock *fakeClock) *fakePortal {
	return &fakePortal{tr: tr, clock: clock, sess: map[string]*api.Session{}, sessErr: map[string]error{},
		events: map[string]chan api.Event{}, holderOf: map[string]string{},
		policy: api.PasswordPolicy{Name: "sante", MinLength: 12, RequireDigit: true}}
}

func (p *fakePortal) call(name string) {
	p.calls = append(p.calls, name)
	p.tr.add("portal:" + name)
}

func (p *fakePortal) called(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		if c == name {
			n++
		}
	}
	return n
}

// newSessionLocked makes a session with a fresh token (p.mu held).
func (p *fakePortal) newSessionLocked(method, user string, actions []string) api.SignIn {
	p.n++
	tok := fmt.Sprintf("tok-%d", p.n)
	now := p.clock.Now()
	s := &api.Session{ID: fmt.Sprintf("s%d", p.n), Method: method, User: api.User{Identifiant: user},
		ExpiresAt: now.Add(8 * time.Hour), IdleExpiresAt: now.Add(30 * time.Minute),
		RequiredActions: slices.Clone(actions)}
	p.sess[tok] = s
	return api.SignIn{Token: tok, Session: *s}
}

func (p *fakePortal) SignInCard(ctx context.Context, signer crypto.Signer, cert *x509.Certificate, ws string) (api.SignIn, error) {
	p.mu.Lock()
	p.call("SignInCard")
	gate := p.gateSignIn
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return api.SignIn{}, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.signInErr != nil {
		return api.SignIn{}, p.signInErr
	}
	return p.newSessionLocked(api.MethodCard, cert.Subject.CommonName, p.actions), nil
}

func (p *fakePortal) SignInPassword(ctx context.Context, id string, pw []byte, ws, device string) (api.PasswordSignInResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("SignInPassword")
	return p.pwSignIn(id, pw, device)
}

func (p *fakePortal) SendOTP(ctx context.Context, challengeID, kind string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("SendOTP")
	return "j•••@exemple.fr", nil
}

func (p *fakePortal) VerifyOTP(ctx context.Context, challengeID, code string, remember bool) (api.SignIn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("VerifyOTP")
	return p.verify(code, remember)
}

func (p *fakePortal) session(token string) (*api.Session, error) {
	if err := p.sessErr[token]; err != nil {
		return nil, err
	}
	s, ok := p.sess[token]
	if !ok {
		return nil, &api.Error{Code: api.CodeUnauthenticated}
	}
	return s, nil
}

func dropAction(s *api.Session, action string) {
	s.RequiredActions = slices.DeleteFunc(slices.Clone(s.RequiredActions), func(a string) bool { return a == action })
}

func (p *fakePortal) Session(ctx context.Context, token string) (api.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("Session")
	s, err := p.session(token)
	if err != nil {
		return api.Session{}, err
	}
	return *s, nil
}

func (p *fakePortal) Profiles(ctx context.Context, token string) (api.Profiles, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("Profiles")
	return p.profiles, nil
}

func (p *fakePortal) ChooseProfile(ctx context.Context, token, id string) (api.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("ChooseProfile")
	s, err := p.session(token)
	if err != nil {
		return api.Session{}, err
	}
	for _, pr := range p.profiles.Profiles {
		if pr.ID == id {
			s.Profile = &pr
			dropAction(s, api.ActionChooseProfile)
			return *s, nil
		}
	}
	return api.Session{}, &api.Error{Code: api.CodeProfileUnknown}
}

func (p *fakePortal) LinkPhone(ctx context.Context, token string, req api.LinkPhoneRequest) (api.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("LinkPhone")
	s, err := p.session(token)
	if err != nil {
		return api.Session{}, err
	}
	if p.linkErr != nil {
		if err := p.linkErr(req); err != nil {
			return api.Session{}, err
		}
	}
	s.Phone = req.Number
	dropAction(s, api.ActionLinkPhone)
	return *s, nil
}

func (p *fakePortal) PasswordPolicy(ctx context.Context) (api.PasswordPolicy, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("PasswordPolicy")
	return p.policy, nil
}

func (p *fakePortal) SetPassword(ctx context.Context, token string, old, pw []byte, others bool) (api.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("SetPassword")
	s, err := p.session(token)
	if err != nil {
		return api.Session{}, err
	}
	if len(pw) < p.policy.MinLength {
		return api.Session{}, &api.Error{Code: api.CodePasswordPolicy}
	}
	dropAction(s, api.ActionSetPassword)
	dropAction(s, api.ActionChangePassword)
	return *s, nil
}

func (p *fakePortal) Channels(ctx context.Context, token string) ([]api.Channel, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("Channels")
	return slices.Clone(p.channels), nil
}

func (p *fakePortal) TestChannel(ctx context.Context, token, kind, value string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("TestChannel")
	return nil
}

func (p *fakePortal) ValidateChannel(ctx context.Context, token, kind, code string) ([]api.Channel, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("ValidateChannel")
	if code != "123456" {
		return nil, &api.Error{Code: api.CodeOTPInvalid}
	}
	p.channels = append(slices.Clone(p.channels), api.Channel{Kind: kind, Masked: "06 •• •• •• 78", Active: true})
	if s, err := p.session(token); err == nil {
		dropAction(s, api.ActionSetOTPChannels)
	}
	return slices.Clone(p.channels), nil
}

func (p *fakePortal) RemoveChannel(ctx context.Context, token, kind string) ([]api.Channel, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("RemoveChannel")
	p.channels = slices.DeleteFunc(slices.Clone(p.channels), func(c api.Channel) bool { return c.Kind == kind })
	return slices.Clone(p.channels), nil
}

func (p *fakePortal) SignOut(ctx context.Context, token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call("SignOut")
	p.signedOut = append(p.signedOut, token)
	delete(p.sess, token)
	return nil
}

func (p *fakePortal) wasSignedOut(token string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.signedOut, token)
}

// eventsFor is the source channel the test pushes a session's events into.
func (p *fakePortal) eventsFor(token string) chan api.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, ok := p.events[token]
	if !ok {
		ch = make(chan api.Event, 8)
		p.events[token] = ch
	}
	return ch
}

func (p *fakePortal) Events(ctx context.Context, token string) (<-chan api.Event, error) {
	src := p.eventsFor(token)
	p.mu.Lock()
	p.call("Events")
	p.mu.Unlock()
	out := make(chan api.Event)
	go func() {
		defer close(out)
		for {
			select {
			case ev := <-src:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

var errSessionExpired = &api.Error{Code: api.CodeSessionExpired}
