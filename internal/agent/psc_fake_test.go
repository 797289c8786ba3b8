package agent

import (
	"context"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// pscAnswer is what the fake portal answers to a wait (the phone's decision).
type pscAnswer struct {
	si  api.SignIn
	err error
}

// fakePSC is the PSC port on fakes: StartPSC answers startErr or a binding code; WaitPSC
// blocks until the test answers (answer) or the context ends; cancels are recorded.
type fakePSC struct {
	mu        sync.Mutex
	startErr  error
	browser   pscAnswer
	answer    chan pscAnswer
	started   []string // national ids pushed to
	cancelled []string // request ids cancelled
	opened    []string // browser URLs opened
}

func newFakePSC() *fakePSC { return &fakePSC{answer: make(chan pscAnswer, 1)} }

func (f *fakePSC) StartPSC(ctx context.Context, nationalID, ws string) (api.PSCStart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, nationalID)
	if f.startErr != nil {
		return api.PSCStart{}, f.startErr
	}
	return api.PSCStart{RequestID: "req-1", BindingCode: "42",
		ExpiresAt: time.Date(2026, 11, 23, 8, 2, 0, 0, time.UTC), Interval: 5}, nil
}

func (f *fakePSC) WaitPSC(ctx context.Context, req string) (api.PSCWait, error) {
	select {
	case a := <-f.answer:
		if a.err != nil {
			return api.PSCWait{}, a.err
		}
		return api.PSCWait{Status: api.PSCDone, SignIn: &a.si}, nil
	case <-ctx.Done():
		return api.PSCWait{}, ctx.Err()
	}
}

func (f *fakePSC) CancelPSC(ctx context.Context, req string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, req)
	return nil
}

func (f *fakePSC) BrowserSignIn(ctx context.Context, ws string, open func(string) error) (api.SignIn, error) {
	if err := open("https://portal.test/v1/signin/psc/browser"); err != nil {
		return api.SignIn{}, err
	}
	return f.browser.si, f.browser.err
}

func (f *fakePSC) cancels() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cancelled...)
}

type fakeBrowser struct {
	mu     sync.Mutex
	opened []string
}

func (b *fakeBrowser) Open(url string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opened = append(b.opened, url)
	return nil
}

// pscSignIn opens a PSC session owing the desk phone on the fake portal.
func (h *harness) pscSignIn() api.SignIn {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	return h.p.newSessionLocked(api.MethodPSC, "claire.martin", []string{api.ActionLinkPhone})
}
