package agent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The OTP path (seed 004 "Se connecter via OTP", seed 003): identifiant → password → channel
// → code. "Remember this workstation for 24 h" gives a device token kept in the keyring per
// identifiant; the portal cancels it when someone else signs in on the workstation, and the
// engine then forgets it.

func deviceKey(identifiant string) string {
	return KeyDeviceTokenPrefix + strings.ToLower(identifiant)
}

func (e *Engine) chooseOTP() {
	e.newFlow()
	e.clearOTP()
	e.to(StepOTPIdentifiant)
	e.publish()
}

func (e *Engine) clearOTP() {
	r := &e.run
	r.challenge = ""
	r.s.Identifiant, r.s.OTPChannels, r.s.OTPSentTo, r.s.PendingAction = "", nil, "", ""
	r.s.Recovery, r.rec = nil, recoveryRun{}
}

func validIdentifiant(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	return !strings.ContainsFunc(id, func(c rune) bool { return unicode.IsControl(c) || unicode.IsSpace(c) })
}

func (e *Engine) submitIdentifiant(raw string) {
	id := strings.TrimSpace(raw)
	if !validIdentifiant(id) {
		e.fail(ErrIdentifiantFormat)
		return
	}
	e.to(StepOTPPassword)
	e.run.s.Identifiant = id
	e.publish()
}

func (e *Engine) submitPassword(pw []byte) {
	r := &e.run
	if len(pw) == 0 {
		e.fail(ErrPasswordEmpty)
		return
	}
	id, device := r.s.Identifiant, ""
	if e.d.Keys != nil {
		v, err := e.d.Keys.Get(deviceKey(id))
		if err == nil {
			device = v
		} else if !errors.Is(err, ErrNotFound) {
			e.log.Warn("device token not read from the keyring", "err", err)
		}
	}
	p, ws := e.d.Portal, e.cfg.Workstation
	e.startFull(BusyOTPSigningIn, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		ch, err := p.SignInPassword(ctx, id, pw, ws, device)
		clear(pw)
		stale := func() {
			if err == nil && ch.SignIn != nil {
				e.signOutStale(*ch.SignIn, nil)
			}
		}
		return func() { e.passwordChecked(ch, err, device != "") }, stale
	})
	e.publish()
}

func (e *Engine) passwordChecked(ch api.PasswordSignInResponse, err error, usedDevice bool) {
	r := &e.run
	if err != nil {
		e.fail(err)
		return
	}
	if ch.SignIn != nil {
		e.otpSignedIn(*ch.SignIn)
		return
	}
	notice := ""
	if usedDevice {
		// The workstation was remembered but the portal asks for a code again: the 24 h
		// remembering was cancelled (someone else signed in here) or has expired.
		e.forgetDevice(r.s.Identifiant)
		notice = NoticeDeviceForgotten
	}
	e.to(StepOTPChannel)
	r.challenge, r.s.OTPChannels, r.s.Notice = ch.ChallengeID, ch.Channels, notice
	if !hasActive(ch.Channels) {
		r.s.Err = &api.Error{Code: api.CodeNoChannel}
	}
	e.publish()
}

func (e *Engine) forgetDevice(identifiant string) {
	if e.d.Keys == nil {
		return
	}
	if err := e.d.Keys.Delete(deviceKey(identifiant)); err != nil && !errors.Is(err, ErrNotFound) {
		e.log.Warn("device token not removed from the keyring", "err", err)
	}
}

func (e *Engine) sendCode(kind string) {
	r := &e.run
	if !slices.ContainsFunc(r.s.OTPChannels, func(c api.Channel) bool { return c.Kind == kind && c.Active }) {
		e.fail(ErrUnsupportedChannel)
		return
	}
	p, id := e.d.Portal, r.challenge
	e.start(BusyOTPSending, func(ctx context.Context) func() {
		sentTo, err := p.SendOTP(ctx, id, kind)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			e.to(StepOTPCode)
			r.s.OTPSentTo, r.s.PendingAction, r.s.Notice = sentTo, kind, NoticeCodeSent
			e.publish()
		}
	})
	e.publish()
}

func (e *Engine) submitCode(in SubmitCode) {
	r := &e.run
	code := strings.TrimSpace(in.Code)
	if !validCode(code) {
		e.fail(ErrOTPFormat)
		return
	}
	p, id, remember := e.d.Portal, r.challenge, in.Remember
	e.startFull(BusyOTPVerifying, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		si, err := p.VerifyOTP(ctx, id, code, remember)
		return func() { e.codeChecked(si, err, remember) }, func() { e.signOutStale(si, err) }
	})
	e.publish()
}

func (e *Engine) codeChecked(si api.SignIn, err error, remember bool) {
	r := &e.run
	if err != nil {
		if api.CodeOf(err) == api.CodeOTPTriesExceeded {
			// The challenge is dead: back to the password for a new one.
			e.to(StepOTPPassword)
			r.challenge, r.s.OTPSentTo = "", ""
		}
		e.fail(err)
		return
	}
	switch {
	case e.d.Keys == nil:
	case remember && si.DeviceToken != "":
		if err := e.d.Keys.Set(deviceKey(r.s.Identifiant), si.DeviceToken); err != nil {
			e.log.Warn("device token not stored in the keyring", "err", err)
		}
	case !remember:
		e.forgetDevice(r.s.Identifiant)
	}
	e.otpSignedIn(si)
}

func (e *Engine) otpSignedIn(si api.SignIn) {
	e.clearOTP()
	e.beginSession(si, identity{})
}

// chooseECPS is the e-CPS activation hook (it needs the card in the reader).
func (e *Engine) chooseECPS() {
	r := &e.run
	e.newFlow()
	e.to(StepECPS)
	switch {
	case e.d.ECPS == nil:
		e.fail(ErrNotConfigured)
		return
	case r.reader == "":
		r.s.Notice = NoticeInsertCard
		e.publish()
		return
	}
	ecps, reader := e.d.ECPS, r.reader
	e.startFull(BusyECPSActivating, e.cfg.PSCTimeout, func(ctx context.Context) (func(), func()) {
		err := ecps.Start(ctx, reader)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			r.s.Notice = NoticeECPSActivated
			e.publish()
		}, nil
	})
	e.publish()
}
