package cardtoken

import (
	"context"
	"crypto/x509"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// fakeCard is a fake PKCS#11 token whose calls wait on gate (nil: they answer at once). Unit
// tests of the port's locking and deadlines only; the real stuck card is in stuck_test.go and
// the real stack in real_test.go.
type fakeCard struct {
	gate   chan struct{}
	closed atomic.Int32
	mu     sync.Mutex
	pin    []byte // the buffer Login was given
	seen   string // its content during the call
}

func (f *fakeCard) wait() {
	if f.gate != nil {
		<-f.gate
	}
}

func (f *fakeCard) TriesLeft() (token.PINTries, error) {
	f.wait()
	return token.PINTries{Known: true, Left: 3}, nil
}

func (f *fakeCard) Certificate() (*x509.Certificate, error) {
	f.wait()
	return nil, token.ErrTokenRemoved
}

func (f *fakeCard) Info() token.TokenInfo { return token.TokenInfo{Serial: "fake"} }

func (f *fakeCard) Login(pin []byte) (*token.Key, error) {
	f.wait()
	f.mu.Lock()
	f.pin, f.seen = pin, string(pin)
	f.mu.Unlock()
	return nil, &token.PINError{TriesLeft: 2}
}

func (f *fakeCard) Close() error { f.closed.Add(1); return nil }

// fakeOpener opens cards[reader], waiting on openGate first when it is set, and counts opens.
type fakeOpener struct {
	cards    map[string]*fakeCard
	openGate chan struct{}
	opens    atomic.Int32
}

func (o *fakeOpener) port(deadline time.Duration) *Port {
	p := New(Options{IdentifyTimeout: deadline, LoginTimeout: deadline})
	p.serial = func(string) ([]byte, error) { return nil, errors.New("no EF.SN.ICC") }
	p.open = func(_ context.Context, reader string) (cardToken, error) {
		o.opens.Add(1)
		if o.openGate != nil {
			<-o.openGate
		}
		c, ok := o.cards[reader]
		if !ok {
			return nil, token.ErrNoToken
		}
		return c, nil
	}
	return p
}

func wantNotResponding(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, agent.ErrCardNotResponding) || agent.MessageKey(err) != agent.KeyCardNotResponding {
		t.Fatalf("%s: %v (key %q), want card_not_responding", what, err, agent.MessageKey(err))
	}
}

// TestPortOpenHangs: C_GetTokenInfo hanging in the open (the QA dump): the caller gets
// card_not_responding at the deadline, the next caller at once, removal and Close do not wait,
// and the token opened late is closed by the stuck goroutine.
func TestPortOpenHangs(t *testing.T) {
	fc := &fakeCard{}
	o := &fakeOpener{cards: map[string]*fakeCard{"A": fc}, openGate: make(chan struct{})}
	p := o.port(100 * time.Millisecond)
	ctx := context.Background()
	wantNotResponding(t, "tries left", testrig.Within(t, "tries left on a hung open", time.Second, func() error {
		_, err := p.TriesLeft(ctx, "A")
		return err
	}))
	wantNotResponding(t, "holder name", testrig.Within(t, "second call while stuck", 50*time.Millisecond, func() error {
		_, err := p.HolderName(ctx, "A")
		return err
	}))
	if _, err := p.Serial(ctx, "A"); !errors.Is(err, agent.ErrCardNotResponding) {
		t.Fatalf("serial while stuck: %v", err)
	}
	testrig.Within(t, "drop while stuck", 50*time.Millisecond, func() error { p.Drop("A"); return nil })
	testrig.Within(t, "Close while stuck", CloseWait+200*time.Millisecond, func() error { p.Close(); return nil })
	if n := o.opens.Load(); n != 1 {
		t.Fatalf("%d opens, want 1 (single flight, stuck entry fails fast)", n)
	}
	if fc.closed.Load() != 0 {
		t.Fatal("token closed before its open returned")
	}
	close(o.openGate) // the card answers at last
	for deadline := time.Now().Add(2 * time.Second); fc.closed.Load() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("late token closed %d times, want 1", fc.closed.Load())
		}
	}
	if _, err := p.TriesLeft(ctx, "A"); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}

// TestPortCallHangs: a call hanging on one reader's token leaves another reader usable;
// the stuck token is closed only once its call returns; the reader works again after.
func TestPortCallHangs(t *testing.T) {
	stuck, ok := &fakeCard{gate: make(chan struct{})}, &fakeCard{}
	o := &fakeOpener{cards: map[string]*fakeCard{"A": stuck, "B": ok}}
	p := o.port(100 * time.Millisecond)
	defer p.Close()
	ctx := context.Background()
	wantNotResponding(t, "tries left A", testrig.Within(t, "hung tries left", time.Second, func() error {
		_, err := p.TriesLeft(ctx, "A")
		return err
	}))
	if n, err := p.TriesLeft(ctx, "B"); n != 3 || err != nil {
		t.Fatalf("reader B while A is stuck: %d, %v", n, err)
	}
	testrig.Within(t, "drop A while stuck", 50*time.Millisecond, func() error { p.Drop("A"); return nil })
	if stuck.closed.Load() != 0 {
		t.Fatal("stuck token closed under its running call")
	}
	close(stuck.gate)
	for deadline := time.Now().Add(2 * time.Second); stuck.closed.Load() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("dropped token closed %d times after its call returned, want 1", stuck.closed.Load())
		}
	}
	if n, err := p.TriesLeft(ctx, "A"); n != 3 || err != nil { // reinserted: opened again
		t.Fatalf("reader A after the stuck call returned: %d, %v", n, err)
	}
	if n := o.opens.Load(); n != 3 {
		t.Fatalf("%d opens, want 3 (A, B, A again)", n)
	}
}

// TestPortCanceled: a call whose flow moved on returns the context error, not a card one.
func TestPortCanceled(t *testing.T) {
	o := &fakeOpener{cards: map[string]*fakeCard{"A": {gate: make(chan struct{})}}}
	p := o.port(time.Minute)
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := p.TriesLeft(ctx, "A")
	if !errors.Is(err, context.Canceled) || errors.Is(err, agent.ErrCardNotResponding) {
		t.Fatalf("canceled call: %v", err)
	}
}

// TestPortStaleCallerOpensNothing: a caller whose flow moved on (the card pulled and put
// back at once) neither opens the token nor marks the reader stuck, so the new flow's reading
// gets the card, not card_not_responding (seen in the real window: insert, pull, insert).
func TestPortStaleCallerOpensNothing(t *testing.T) {
	o := &fakeOpener{cards: map[string]*fakeCard{"A": {}}, openGate: make(chan struct{})}
	p := o.port(time.Minute)
	defer p.Close()
	stale, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.HolderName(stale, "A"); !errors.Is(err, context.Canceled) || o.opens.Load() != 0 {
		t.Fatalf("stale caller: %v, %d opens", err, o.opens.Load())
	}
	got := make(chan error, 1)
	go func() { _, err := p.TriesLeft(context.Background(), "A"); got <- err }()
	for o.opens.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Another stale caller gives up while the live open runs: the reader is not "stuck".
	if _, err := p.TriesLeft(stale, "A"); !errors.Is(err, context.Canceled) {
		t.Fatalf("second stale caller: %v", err)
	}
	live, cancelLive := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelLive()
	if _, err := p.HolderName(live, "A"); errors.Is(err, agent.ErrCardNotResponding) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("live caller failed fast after stale ones: %v", err)
	}
	close(o.openGate)
	if err := <-got; err != nil {
		t.Fatalf("live reading after stale callers: %v", err)
	}
}

// TestPortSingleFlight: concurrent first calls share one open.
func TestPortSingleFlight(t *testing.T) {
	o := &fakeOpener{cards: map[string]*fakeCard{"A": {}}, openGate: make(chan struct{})}
	p := o.port(5 * time.Second)
	defer p.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, err := p.TriesLeft(context.Background(), "A"); n != 3 || err != nil {
				errs <- err
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(o.openGate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent tries left: %v", err)
	}
	if n := o.opens.Load(); n != 1 {
		t.Fatalf("%d opens for 5 concurrent callers, want 1", n)
	}
}

// TestPortLoginPIN: Login works on its own copy of the PIN (the engine clears its buffer
// as soon as Login returns) and clears that copy after the call; a wrong PIN maps to PINError.
func TestPortLoginPIN(t *testing.T) {
	fc := &fakeCard{}
	o := &fakeOpener{cards: map[string]*fakeCard{"A": fc}}
	p := o.port(time.Second)
	defer p.Close()
	pin := []byte("1234")
	_, err := p.Login(context.Background(), "A", pin)
	var pe *agent.PINError
	if !errors.As(err, &pe) || pe.TriesLeft != 2 {
		t.Fatalf("wrong PIN: %v", err)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.seen != "1234" || &fc.pin[0] == &pin[0] {
		t.Fatalf("the card saw %q in the caller's own buffer %v", fc.seen, &fc.pin[0] == &pin[0])
	}
	if string(fc.pin) != "\x00\x00\x00\x00" {
		t.Fatal("the port's PIN copy is not cleared after the call")
	}
}
