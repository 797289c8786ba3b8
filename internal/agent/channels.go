package agent

import (
	"context"
	"slices"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The OTP channel screen (seed 004, "Modifier mes canaux OTP"): per channel, "Tester" sends a
// code to the value typed, "Valider" checks the code; a channel can be removed.

func (e *Engine) openChannels(required bool) {
	r := &e.run
	r.required = required
	p, tok := e.d.Portal, r.token
	e.start(BusyChannelsLoading, func(ctx context.Context) func() {
		chs, err := p.Channels(ctx, tok)
		return func() {
			e.to(StepOTPChannels)
			r.s.PendingAction = ""
			if err == nil {
				r.s.Channels = chs
			}
			r.s.Err = err
			e.publish()
		}
	})
	e.publish()
}

func validKind(k string) bool { return k == api.ChannelSMS || k == api.ChannelEmail }

// validCode: one-time codes are 6 digits.
func validCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, d := range c {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}

func (e *Engine) testChannel(in TestChannel) {
	r := &e.run
	value := strings.TrimSpace(in.Value)
	switch {
	case !validKind(in.Kind):
		e.fail(ErrUnsupportedChannel)
		return
	case value == "":
		e.fail(&api.Error{Code: api.CodeChannelInvalid})
		return
	}
	p, tok, kind := e.d.Portal, r.token, in.Kind
	e.start(BusyChannelTesting, func(ctx context.Context) func() {
		err := p.TestChannel(ctx, tok, kind, value)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			r.s.Err, r.s.PendingAction, r.s.Notice = nil, kind, NoticeCodeSent
			e.publish()
		}
	})
	e.publish()
}

func (e *Engine) validateChannel(in ValidateChannel) {
	r := &e.run
	code := strings.TrimSpace(in.Code)
	switch {
	case !validKind(in.Kind):
		e.fail(ErrUnsupportedChannel)
		return
	case !validCode(code):
		e.fail(ErrOTPFormat)
		return
	}
	p, tok, kind := e.d.Portal, r.token, in.Kind
	e.start(BusyChannelValidating, func(ctx context.Context) func() {
		chs, err := p.ValidateChannel(ctx, tok, kind, code)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			r.s.Err, r.s.Channels, r.s.PendingAction, r.s.Notice = nil, chs, "", NoticeChannelValidated
			e.publish()
		}
	})
	e.publish()
}

func (e *Engine) removeChannel(kind string) {
	r := &e.run
	if !validKind(kind) {
		e.fail(ErrUnsupportedChannel)
		return
	}
	p, tok := e.d.Portal, r.token
	e.start(BusyChannelRemoving, func(ctx context.Context) func() {
		chs, err := p.RemoveChannel(ctx, tok, kind)
		return func() {
			if err != nil {
				e.fail(err)
				return
			}
			r.s.Err, r.s.Channels, r.s.Notice = nil, chs, ""
			e.publish()
		}
	})
	e.publish()
}

func hasActive(chs []api.Channel) bool {
	return slices.ContainsFunc(chs, func(c api.Channel) bool { return c.Active })
}

// channelsDone leaves the screen. As a required action, channels are skippable by default
// (seed 004: "pensez à modifier les canaux OTP" — recommended, not enforced) and the banner
// then reminds; with ChannelsRequired an active channel is needed first.
func (e *Engine) channelsDone() {
	r := &e.run
	active := hasActive(r.s.Channels)
	if !r.required {
		e.signedIn()
		return
	}
	if !active && e.cfg.OTPChannels == ChannelsRequired {
		e.fail(ErrChannelsRequired)
		return
	}
	r.remind = !active
	r.handled[api.ActionSetOTPChannels] = true
	p, tok := e.d.Portal, r.token
	e.start(BusySessionRefreshing, func(ctx context.Context) func() {
		s, err := p.Session(ctx, tok) // the portal may have cleared the action meanwhile
		return func() {
			if err == nil {
				e.setSession(s)
			} else {
				e.log.Warn("session not refreshed after the channels", "code", api.CodeOf(err))
			}
			e.nextAction()
		}
	})
	e.publish()
}
