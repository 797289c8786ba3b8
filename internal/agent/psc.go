package agent

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The Pro Santé Connect path (seed 004 « Se connecter via PRO SANTE CONNECT »): national id →
// a push to the holder's e-CPS app (binding code, countdown) or the browser flow → then the
// same required actions as a card sign-in. The portal is the OIDC client; the engine only
// talks to the PSC port. Esc during a push cancels the request on the portal.

// Errors of the PSC path found locally.
var (
	ErrNationalIDFormat = errors.New("national id is malformed")
	ErrPSCUnknownID     = errors.New("national id unknown to the portal")
)

// nationalIDShape accepts the shapes of domain.md, not digits only: "8"+RPPS (899700427885),
// ADELI (00B7010446), staff cards (500000001815646/CPAT00045), test ids (ANS20231122132732).
var nationalIDShape = regexp.MustCompile(`^[A-Za-z0-9]{4,40}(/[A-Za-z0-9]{1,40})?$`)

// ValidNationalID reports whether id has the shape of a national id known to PSC.
func ValidNationalID(id string) bool { return nationalIDShape.MatchString(id) }

// pscCancelTimeout bounds the cancel sent to the portal when the operator leaves a push.
const pscCancelTimeout = 5 * time.Second

// choosePSC is « Pro Santé Connect » on the home screen: the national id screen, pre-filled
// from the last PSC sign-in on this workstation.
func (e *Engine) choosePSC() {
	e.newFlow()
	e.clearOTP()
	e.to(StepPSC)
	if e.d.PSC == nil {
		e.run.s.PSC = nil
		e.fail(ErrNotConfigured)
		return
	}
	e.run.s.PSC = &PSCView{NationalID: e.d.Prefs.Get(PrefLastPSCID)}
	e.prefillFromCard()
	e.publish()
}

// prefillFromCard reads the national id of a readable CPx card in the reader (no PIN) and puts
// it in the national id field; without one, the last PSC sign-in's stays.
func (e *Engine) prefillFromCard() {
	rd, ok := e.d.Token.(CardIDReader)
	reader := e.run.reader
	if ev, in := e.run.cards[reader]; !ok || reader == "" || !in || !ev.Known {
		return
	}
	e.start(BusyCardReading, func(ctx context.Context) func() {
		id, err := rd.NationalID(ctx, reader)
		return func() {
			if err != nil {
				e.log.Info("national id not read from the card", "err", err)
			} else if ValidNationalID(id) {
				e.run.s.PSC = &PSCView{NationalID: id}
			}
			e.publish()
		}
	})
}

// pscID checks the typed national id and keeps it on the screen (even when malformed).
func (e *Engine) pscID(raw string) (string, bool) {
	id := strings.TrimSpace(raw)
	e.run.s.PSC = &PSCView{NationalID: id}
	if !ValidNationalID(id) {
		e.fail(ErrNationalIDFormat)
		return "", false
	}
	return id, true
}

// startPSCPush is « Recevoir une demande sur mon e-CPS »: the portal pushes the request and
// answers the binding code; the engine then waits for the phone.
func (e *Engine) startPSCPush(raw string) {
	id, ok := e.pscID(raw)
	if !ok {
		return
	}
	psc, ws := e.d.PSC, e.cfg.Workstation
	e.startFull(BusyPSCStarting, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		st, err := psc.StartPSC(ctx, id, ws)
		discard := func() { // cancelled while the push was being started
			if err == nil {
				e.cancelPSCRequest(st.RequestID)
			}
		}
		return func() {
			if err != nil {
				e.pscFailed(err)
				return
			}
			e.to(StepPSCPush)
			e.run.pscReq = st.RequestID
			e.run.s.PSC = &PSCView{NationalID: id, BindingCode: st.BindingCode, ExpiresAt: st.ExpiresAt}
			e.waitPSCPush(id, st.RequestID)
		}, discard
	})
	e.publish()
}

// waitPSCPush long-polls the portal until the phone answers, the request expires or the
// operator cancels (the flow's context ends).
func (e *Engine) waitPSCPush(id, req string) {
	psc := e.d.PSC
	e.startFull(BusyPSCWaiting, e.cfg.PSCTimeout, func(ctx context.Context) (func(), func()) {
		var si api.SignIn
		var err error
		for {
			var w api.PSCWait
			w, err = psc.WaitPSC(ctx, req)
			if err == nil && w.Status == api.PSCDone && w.SignIn != nil {
				si = *w.SignIn
				break
			}
			if err == nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			if err != nil {
				break
			}
		}
		return func() { e.run.pscReq = ""; e.pscSignedIn(id, si, err) }, func() { e.signOutStale(si, err) }
	})
	e.publish()
}

// startPSCBrowser is « Se connecter avec le navigateur »: the system browser opens the portal's
// PSC page and the session comes back on a loopback redirect.
func (e *Engine) startPSCBrowser(raw string) {
	id := strings.TrimSpace(raw)
	if e.d.Browser == nil {
		e.fail(ErrNotConfigured)
		return
	}
	psc, ws, b := e.d.PSC, e.cfg.Workstation, e.d.Browser
	e.to(StepPSCBrowser)
	e.run.s.PSC = &PSCView{NationalID: id}
	e.startFull(BusyPSCBrowser, e.cfg.PSCTimeout, func(ctx context.Context) (func(), func()) {
		si, err := psc.BrowserSignIn(ctx, ws, b.Open)
		return func() { e.pscSignedIn("", si, err) }, func() { e.signOutStale(si, err) }
	})
	e.publish()
}

// pscSignedIn ends a PSC sign-in: the session goes on as a card sign-in's would; the national
// id is remembered for the next time on this workstation.
func (e *Engine) pscSignedIn(id string, si api.SignIn, err error) {
	if err != nil {
		e.pscFailed(err)
		return
	}
	if id != "" {
		if err := e.d.Prefs.Set(PrefLastPSCID, id); err != nil {
			e.log.Warn("last national id not remembered", "err", err)
		}
	}
	e.beginSession(si, identity{})
}

// pscFailed shows a refusal on the national id screen. PSC unreachable goes to the OTP path
// with a notice saying why.
func (e *Engine) pscFailed(err error) {
	r := &e.run
	view := &PSCView{}
	if r.s.PSC != nil {
		view.NationalID = r.s.PSC.NationalID
	}
	switch api.CodeOf(err) {
	case api.CodePSCUnavailable:
		e.clearOTP()
		e.to(StepOTPIdentifiant)
		r.s.Notice = NoticePSCUnavailable
		e.publish()
		return
	case api.CodeCardUnknown:
		err = ErrPSCUnknownID
	}
	e.to(StepPSC)
	r.s.PSC = view
	e.fail(err)
}

// cancelPSC is Esc on a PSC waiting screen: back to the national id; a pending push is
// cancelled on the portal (the flow's context has already stopped the wait).
func (e *Engine) cancelPSC() {
	r := &e.run
	if r.pscReq != "" {
		e.cancelPSCRequest(r.pscReq)
		r.pscReq = ""
	}
	id := ""
	if r.s.PSC != nil {
		id = r.s.PSC.NationalID
	}
	e.to(StepPSC)
	r.s.PSC = &PSCView{NationalID: id}
	e.publish()
}

// cancelPSCRequest tells the portal to stop a pending push (in the background: Esc must not
// wait for the network).
func (e *Engine) cancelPSCRequest(req string) {
	psc, base := e.d.PSC, e.run.ctx
	go func() {
		ctx, cancel := context.WithTimeout(base, pscCancelTimeout)
		defer cancel()
		if err := psc.CancelPSC(ctx, req); err != nil {
			e.log.Warn("Pro Santé Connect request not cancelled on the portal", "err", err)
		}
	}()
}
