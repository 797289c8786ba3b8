package agent

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// runState is the engine's state, owned by the Run goroutine.
type runState struct {
	ctx        context.Context
	s          Snapshot
	gen        uint64 // flow generation: results of older generations are stale
	flowCtx    context.Context
	flowCancel context.CancelFunc

	cards   map[string]CardEvent // cards present, per reader
	reader  string               // reader of the card the flow follows
	pending identity             // card being signed in (read before the PIN)
	// queuedPIN is a PIN submitted while the card is read (Snapshot.Reading), zeroed when
	// the flow moves on.
	queuedPIN []byte

	token    string // portal session token (memory; keyring only with SessionKeyring)
	method   string
	id       identity        // card that signed the session in
	lock     *identity       // set while locked: the card that may resume
	handled  map[string]bool // required actions skipped in this session (channels, unknown)
	required bool            // the screen shown is a required action (Cancel signs out)
	remind   bool            // OTP channels skipped: remind on the banner
	from     Step            // step to return to from the settings screen

	challenge string // OTP path: challenge id
	pscReq    string // Pro Santé Connect: the pending push's request id (cancelled on Esc)
	rec       recoveryRun

	sessGen  uint64 // bumped when the session ends: its events and checks are stale
	evCancel context.CancelFunc
	tick     <-chan time.Time // banner refresh (one timer)
	tickAt   time.Time
	retry    <-chan time.Time // event stream reconnect
	backoff  time.Duration
}

// stopReading forgets the card reading of the PIN screen and zeroes a PIN held for it.
func (r *runState) stopReading() {
	r.s.Reading = false
	clear(r.queuedPIN)
	r.queuedPIN = nil
}

func (r *runState) stopEvents() {
	if r.evCancel != nil {
		r.evCancel()
		r.evCancel = nil
	}
}

// beginSession takes a fresh sign-in: token in memory, event stream, required actions.
func (e *Engine) beginSession(si api.SignIn, id identity) {
	r := &e.run
	r.token, r.method, r.id, r.lock = si.Token, si.Session.Method, id, nil
	r.handled, r.remind = map[string]bool{}, false
	e.setSession(si.Session)
	e.persistSession()
	e.startEvents()
	e.nextAction()
}

// setSession publishes a copy of s (snapshots are never mutated once sent).
func (e *Engine) setSession(s api.Session) {
	r := &e.run
	r.s.Session = &s
	r.s.TimeLeft = e.timeLeft()
	e.schedule()
}

func (e *Engine) timeLeft() time.Duration {
	s := e.run.s.Session
	if s == nil {
		return 0
	}
	end := s.ExpiresAt
	if !s.IdleExpiresAt.IsZero() && (end.IsZero() || s.IdleExpiresAt.Before(end)) {
		end = s.IdleExpiresAt
	}
	if end.IsZero() {
		return 0
	}
	return max(end.Sub(e.d.Clock.Now()), 0)
}

// schedule arms the one banner timer for the next whole minute of TimeLeft.
func (e *Engine) schedule() {
	r := &e.run
	d := r.s.TimeLeft % time.Minute
	if d == 0 {
		d = time.Minute
	}
	at := e.d.Clock.Now().Add(d)
	if r.tick != nil && r.tickAt.Equal(at) {
		return // already armed for that instant
	}
	r.tick, r.tickAt = e.d.Clock.After(d), at
}

// onTick refreshes TimeLeft; at zero it asks the portal whether the session lives on (idle
// time may have been pushed back by activity elsewhere).
func (e *Engine) onTick() {
	r := &e.run
	if r.token == "" {
		return
	}
	r.s.TimeLeft = e.timeLeft()
	if r.s.TimeLeft > 0 {
		e.schedule()
		e.publish()
		return
	}
	p, tok, sg := e.d.Portal, r.token, r.sessGen
	go func() {
		ctx, cancel := context.WithTimeout(r.ctx, e.cfg.CallTimeout)
		s, err := p.Session(ctx, tok)
		cancel()
		e.post(func() {
			if sg != e.run.sessGen {
				return
			}
			if err == nil {
				e.setSession(s)
				e.publish()
				return
			}
			e.log.Info("session over at its expiry", "code", api.CodeOf(err))
			e.sessionGone(NoticeSessionExpired)
		})
	}()
}

// endSession forgets the session; signOut also tells the portal (in the background).
// It leaves the step to the caller.
func (e *Engine) endSession(signOut bool) {
	r := &e.run
	if signOut && r.token != "" {
		e.signOutAsync(r.token)
	}
	if r.token != "" && e.cfg.SessionStore == SessionKeyring && e.d.Keys != nil {
		if err := e.d.Keys.Delete(KeySessionPrefix + e.cfg.Workstation); err != nil && !errors.Is(err, ErrNotFound) {
			e.log.Warn("session token not removed from the keyring", "err", err)
		}
	}
	r.stopEvents()
	r.sessGen++
	r.token, r.method, r.id, r.lock, r.tick, r.retry = "", "", identity{}, nil, nil, nil
	r.handled, r.required, r.remind = map[string]bool{}, false, false
	s := &r.s
	s.Session, s.TimeLeft, s.Profiles, s.LastProfileID, s.Policy, s.Channels, s.PendingAction =
		nil, 0, nil, "", nil, nil, ""
}

func (e *Engine) signOutAsync(token string) {
	p := e.d.Portal
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(e.run.ctx), e.cfg.CallTimeout)
		defer cancel()
		if err := p.SignOut(ctx, token); err != nil {
			e.log.Warn("portal sign-out failed", "code", api.CodeOf(err), "err", err)
		}
	}()
}

// signOutNow is the user's "Se déconnecter" (or a lock without a card).
func (e *Engine) signOutNow(notice string) {
	e.newFlow()
	e.endSession(true)
	e.toHome(notice)
}

// sessionGone: the portal ended the session (expired, revoked, signed out elsewhere).
func (e *Engine) sessionGone(notice string) {
	e.newFlow()
	e.endSession(false)
	e.toHome(notice)
}

// toHome goes back to the home screen; a card still in the reader stays shown ("CPX").
func (e *Engine) toHome(notice string) {
	r := &e.run
	e.to(StepWaitingCard)
	r.s.Notice = notice
	if r.reader == "" {
		r.s.Card = nil
	}
	e.publish()
}

// persistSession stores the token in the keyring when the policy says so.
func (e *Engine) persistSession() {
	r := &e.run
	if e.cfg.SessionStore != SessionKeyring || e.d.Keys == nil {
		return
	}
	b, _ := json.Marshal(struct {
		Token string `json:"token"`
	}{r.token})
	if err := e.d.Keys.Set(KeySessionPrefix+e.cfg.Workstation, string(b)); err != nil {
		e.log.Warn("session token not stored in the keyring", "err", err)
	}
}

// restoreSession (SessionKeyring) signs out a session left by a previous run (crash,
// reboot): it would otherwise keep the desk phone linked to nobody at the desk.
func (e *Engine) restoreSession() {
	if e.cfg.SessionStore != SessionKeyring || e.d.Keys == nil {
		return
	}
	key := KeySessionPrefix + e.cfg.Workstation
	v, err := e.d.Keys.Get(key)
	if err != nil {
		return
	}
	var stored struct {
		Token string `json:"token"`
	}
	if json.Unmarshal([]byte(v), &stored) == nil && stored.Token != "" {
		e.log.Info("signing out the session left by a previous run")
		e.signOutAsync(stored.Token)
	}
	if err := e.d.Keys.Delete(key); err != nil {
		e.log.Warn("leftover session token not removed", "err", err)
	}
}
