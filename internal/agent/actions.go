package agent

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// nextAction shows the first required action the session still owes (in the portal's
// order), or the banner when none is left.
func (e *Engine) nextAction() {
	r := &e.run
	for _, a := range r.s.Session.RequiredActions {
		if r.handled[a] {
			continue
		}
		switch a {
		case api.ActionChooseProfile:
			e.openProfiles()
		case api.ActionLinkPhone:
			e.openPhone(true)
		case api.ActionSetPassword:
			e.openPolicy(StepSetPassword, true)
		case api.ActionChangePassword:
			e.openPolicy(StepChangePassword, true)
		case api.ActionSetOTPChannels:
			e.openChannels(true)
		case api.ActionSetSecretQuestion:
			e.openSecretQuestion()
		default:
			e.log.Warn("required action not handled by the agent; left to the portal", "action", a)
			r.handled[a] = true
			continue
		}
		return
	}
	e.signedIn()
}

// signedIn shows the banner.
func (e *Engine) signedIn() {
	r := &e.run
	e.to(StepSignedIn)
	r.required = false
	r.s.TimeLeft = e.timeLeft()
	e.schedule()
	if r.remind {
		r.remind = false
		r.s.Notice = NoticeOTPChannelsReminder
	}
	e.publish()
}

// done takes the session the portal answered (which no longer lists the action just done)
// and moves on. Done actions are not remembered locally: the portal may ask again (a phone
// taken over needs a new link).
func (e *Engine) done(s api.Session) {
	e.setSession(s)
	e.nextAction()
}

// doneOrFail applies the answer of a call that updates the session: err shown on the step,
// or the session taken and the next required action.
func (e *Engine) doneOrFail(s api.Session, err error) func() {
	return func() {
		if err != nil {
			e.fail(err)
			return
		}
		e.done(s)
	}
}

func (e *Engine) openProfiles() {
	r := &e.run
	r.required = true
	p, tok := e.d.Portal, r.token
	e.start(BusyProfilesLoading, func(ctx context.Context) func() {
		ps, err := p.Profiles(ctx, tok)
		return func() {
			e.to(StepChooseProfile)
			r.s.LastPhone = e.lastPhone()
			if err != nil {
				r.s.Err = err
				e.publish()
				return
			}
			r.s.Profiles, r.s.LastProfileID = ps.Profiles, ps.LastID
			if last := e.d.Prefs.Get(PrefLastProfile); ps.LastID == "" && hasProfile(ps.Profiles, last) {
				r.s.LastProfileID = last
			}
			e.publish()
		}
	})
	e.publish()
}

func hasProfile(ps []api.Profile, id string) bool {
	return id != "" && slices.ContainsFunc(ps, func(p api.Profile) bool { return p.ID == id })
}

func (e *Engine) lastPhone() string {
	if p := e.d.Prefs.Get(PrefLastPhone); p != "" {
		return p
	}
	if s := e.run.s.Session; s != nil {
		return s.LastPhone
	}
	return ""
}

func (e *Engine) chooseProfile(id string) {
	r := &e.run
	if id == "" && len(r.s.Profiles) == 0 {
		e.openProfiles() // the list failed to load: try again
		return
	}
	if !hasProfile(r.s.Profiles, id) {
		e.fail(ErrProfileUnknown)
		return
	}
	p, tok := e.d.Portal, r.token
	e.start(BusyProfileChoosing, func(ctx context.Context) func() {
		s, err := p.ChooseProfile(ctx, tok, id)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			if err := e.d.Prefs.Set(PrefLastProfile, id); err != nil {
				e.log.Warn("last profile not remembered", "err", err)
			}
			e.done(s)
		}
	})
	e.publish()
}

func (e *Engine) openPhone(required bool) {
	r := &e.run
	r.required = required
	e.to(StepLinkPhone)
	r.s.LastPhone = e.lastPhone()
	e.publish()
}

// normalizePhone keeps the digits of a "numéro unique" typed with spaces, dots or dashes.
func normalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '.' || c == '-':
		default:
			return "", false
		}
	}
	n := b.String()
	return n, len(n) >= 2 && len(n) <= 20
}

func (e *Engine) linkPhone(in LinkPhone) {
	r := &e.run
	number, ok := normalizePhone(in.Number)
	if !ok {
		e.fail(ErrPhoneFormat)
		return
	}
	p, tok := e.d.Portal, r.token
	req := api.LinkPhoneRequest{Number: number, Takeover: in.Takeover}
	e.start(BusyPhoneLinking, func(ctx context.Context) func() {
		s, err := p.LinkPhone(ctx, tok, req)
		return func() {
			if err != nil {
				r.s.Err, r.s.Holder = err, api.DetailOf(err, "holder")
				e.publish()
				return
			}
			if err := e.d.Prefs.Set(PrefLastPhone, number); err != nil {
				e.log.Warn("last phone not remembered", "err", err)
			}
			r.s.LastPhone = number
			e.done(s)
		}
	})
	r.s.Err, r.s.Holder = nil, ""
	e.publish()
}

func (e *Engine) openPolicy(step Step, required bool) {
	r := &e.run
	r.required = required
	p := e.d.Portal
	e.start(BusyPolicyLoading, func(ctx context.Context) func() {
		pol, err := p.PasswordPolicy(ctx)
		return func() {
			e.to(step)
			r.s.Policy = nil
			if err == nil {
				r.s.Policy = &pol
			}
			r.s.Err = err
			e.publish()
		}
	})
	e.publish()
}

// setPassword covers the first password (old == nil) and a change.
func (e *Engine) setPassword(old, pw, confirm []byte, signOutOthers bool) {
	r := &e.run
	defer clear(confirm)
	switch {
	case len(pw) == 0 || (r.s.Step == StepChangePassword && len(old) == 0):
		clear(pw)
		clear(old)
		e.fail(ErrPasswordEmpty)
		return
	case subtle.ConstantTimeCompare(pw, confirm) != 1:
		clear(pw)
		clear(old)
		e.fail(ErrPasswordMismatch)
		return
	}
	p, tok, change := e.d.Portal, r.token, old != nil
	e.start(BusyPasswordSetting, func(ctx context.Context) func() {
		s, err := p.SetPassword(ctx, tok, old, pw, signOutOthers)
		clear(pw)
		clear(old)
		done := e.doneOrFail(s, err)
		return func() {
			done()
			if err == nil && change && r.s.Step == StepSignedIn {
				r.s.Notice = NoticePasswordChanged // seed 001: « Vous allez recevoir un e-mail de confirmation »
				e.publish()
			}
		}
	})
	e.publish()
}
