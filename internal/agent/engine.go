// The engine: its policy (Config), its ports (Deps), construction, and the Run loop that owns
// the state (intents.go dispatches what it receives).

package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Policies of Config.
const (
	RemovalLock    = "lock"    // card pulled: lock the screen, keep the portal session
	RemovalSignOut = "signout" // card pulled: sign the portal session out

	ChannelsSkippable = "skippable" // OTP channels may be left for later (a reminder is shown)
	ChannelsRequired  = "required"  // at least one OTP channel before the banner

	// SessionMemory keeps the portal session token in the engine's memory only (default).
	// A SAMU workstation is shared and often runs under one generic OS account: a token in
	// that account's keyring would let whoever opens the account next reuse the session
	// without the card and PIN, and it would outlive the agent (crash, reboot) while still
	// holding the desk phone. In memory, the token dies with the process.
	SessionMemory = "memory"
	// SessionKeyring also stores the token in the OS keyring under "session/<workstation>",
	// so that the agent can sign a leftover session out after a crash or reboot.
	SessionKeyring = "keyring"
)

// Config is the engine's policy; cmd/ fills it from internal/config.
type Config struct {
	Workstation   string
	RemovalPolicy string        // RemovalLock (default) or RemovalSignOut
	OTPChannels   string        // ChannelsSkippable (default) or ChannelsRequired
	SessionStore  string        // SessionMemory (default) or SessionKeyring
	CallTimeout   time.Duration // bound of each card or portal call (default 30 s)
	PSCTimeout    time.Duration // bound of a Pro Santé Connect sign-in (default 3 min)
}

// Deps are the engine's ports. Cards, Token and Portal are required; the others have
// defaults (system clock, in-memory prefs, no keystore, discarded logs); PSC and ECPS are
// optional hooks (nil: "not configured").
type Deps struct {
	Cards   CardMonitor
	Token   Token
	Portal  Portal
	Keys    KeyStore
	Prefs   Prefs
	Clock   Clock
	Browser Browser
	PSC     PSC
	ECPS    ECPS
	Logger  *slog.Logger
	// Diagnoser runs `cpx-agent doctor` for the settings screen (optional).
	Diagnoser Diagnoser
}

// Engine is the flow engine. One goroutine (Run) owns the state; everything else talks to it
// through messages: card events, intents (Do), results of calls made on worker goroutines,
// timers and the session's event stream.
type Engine struct {
	cfg Config
	d   Deps
	log *slog.Logger

	intents chan Intent
	msgs    chan func() // results of worker goroutines, applied on the Run goroutine
	notify  <-chan Snapshot

	mu      sync.Mutex
	subs    map[int]chan Snapshot
	nextSub int
	last    Snapshot
	closed  bool
	observe func(Snapshot) // tests: sees every snapshot, synchronously

	run runState // owned by the Run goroutine
}

// New builds an engine. Nothing runs before Run.
func New(cfg Config, d Deps) *Engine {
	if cfg.RemovalPolicy == "" {
		cfg.RemovalPolicy = RemovalLock
	}
	if cfg.OTPChannels == "" {
		cfg.OTPChannels = ChannelsSkippable
	}
	if cfg.SessionStore == "" {
		cfg.SessionStore = SessionMemory
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	if cfg.PSCTimeout <= 0 {
		cfg.PSCTimeout = 3 * time.Minute
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Prefs == nil {
		d.Prefs = NewMemoryPrefs()
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := &Engine{cfg: cfg, d: d, log: d.Logger.With("component", "agent"),
		intents: make(chan Intent, 64), msgs: make(chan func(), 16), subs: map[int]chan Snapshot{}}
	e.last = Snapshot{Step: StepWaitingCard, TriesLeft: -1}
	e.notify, _ = e.Subscribe()
	return e
}

// Do sends an intent to the engine without blocking. It reports false when the queue is full
// (the engine is stuck or not running) and the intent was dropped.
func (e *Engine) Do(in Intent) bool {
	select {
	case e.intents <- in:
		return true
	default:
		e.log.Warn("intent dropped: queue full", "intent", fmt.Sprintf("%T", in))
		return false
	}
}

// Run owns the state until ctx ends. It returns ctx's error, or ErrMissingDependency.
func (e *Engine) Run(ctx context.Context) error {
	defer e.closeSubs()
	if e.d.Cards == nil || e.d.Token == nil || e.d.Portal == nil {
		return fmt.Errorf("agent: cards, token and portal are required: %w", ErrMissingDependency)
	}
	r := &e.run
	r.ctx = ctx
	r.s = Snapshot{Step: StepWaitingCard, TriesLeft: -1}
	r.cards = map[string]CardEvent{}
	r.handled = map[string]bool{}
	r.flowCtx, r.flowCancel = context.WithCancel(ctx)
	defer func() { r.flowCancel(); r.stopEvents() }()
	events := e.d.Cards.Events(ctx)
	e.publish()
	e.restoreSession()
	for {
		select {
		case <-ctx.Done():
			e.signOutOnExit()
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				events = nil
				e.log.Warn("card monitor stopped")
				continue
			}
			e.onCard(ev)
		case in := <-e.intents:
			e.onIntent(in)
		case f := <-e.msgs:
			f()
		case <-r.tick:
			r.tick = nil
			e.onTick()
		case <-r.retry:
			r.retry = nil
			e.startEvents()
		}
	}
}

// signOutOnExit ends the portal session when the agent stops (app closed, OS session
// closed): the token lives only in this process, so a session left open would hold the desk
// phone until its idle timeout with nobody able to use it.
func (e *Engine) signOutOnExit() {
	r := &e.run
	if r.token == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 3*time.Second)
	defer cancel()
	if err := e.d.Portal.SignOut(ctx, r.token); err != nil {
		e.log.Warn("portal sign-out at exit failed", "code", api.CodeOf(err), "err", err)
	}
	e.endSession(false)
}
