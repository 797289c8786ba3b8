package agent

import (
	"context"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

const (
	retryFirst = 2 * time.Second
	retryMax   = time.Minute
)

// startEvents follows the session's event stream (SSE) on a worker goroutine; each event is
// applied on the Run goroutine while the session lasts. A broken stream is reopened after a
// growing delay.
func (e *Engine) startEvents() {
	r := &e.run
	r.stopEvents()
	if r.token == "" {
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.evCancel = cancel
	p, tok, sg := e.d.Portal, r.token, r.sessGen
	go func() {
		ch, err := p.Events(ctx, tok)
		if err == nil {
			for ev := range ch {
				e.post(func() {
					if sg == e.run.sessGen {
						e.run.backoff = 0
						e.onEvent(ev)
					}
				})
			}
		}
		if ctx.Err() != nil {
			return // stopped on purpose
		}
		e.post(func() {
			if sg == e.run.sessGen {
				e.eventsBroken(err)
			}
		})
	}()
}

func (e *Engine) eventsBroken(err error) {
	r := &e.run
	switch api.CodeOf(err) {
	case api.CodeSessionExpired, api.CodeUnauthenticated:
		e.sessionGone(NoticeSessionExpired)
		return
	case api.CodeSessionRevoked:
		e.sessionGone(NoticeSessionRevoked)
		return
	}
	if r.backoff == 0 {
		r.backoff = retryFirst
	} else {
		r.backoff = min(2*r.backoff, retryMax)
	}
	e.log.Info("session event stream broken; reopening", "in", r.backoff, "err", err)
	r.retry = e.d.Clock.After(r.backoff)
}

// onEvent applies one session event.
func (e *Engine) onEvent(ev api.Event) {
	r := &e.run
	switch ev.Type {
	case api.EventPhoneTakenOver:
		if r.s.Session != nil {
			s := *r.s.Session
			s.Phone = ""
			r.s.Session = &s
		}
		r.s.Notice, r.s.Holder = NoticePhoneTakenOver, ev.By
		e.publish()
	case api.EventExpiring:
		if r.s.Session != nil && !ev.Expires.IsZero() && ev.Expires.Before(r.s.Session.IdleExpiresAt) {
			s := *r.s.Session
			s.IdleExpiresAt = ev.Expires
			e.setSession(s)
		}
		r.s.Notice = NoticeSessionExpiring
		e.publish()
	case api.EventExpired:
		e.sessionGone(NoticeSessionExpired)
	case api.EventRevoked:
		e.sessionGone(NoticeSessionRevoked)
	case api.EventSignedOut:
		e.sessionGone(NoticeSignedOutElsewhere)
	default:
		e.log.Debug("session event ignored", "type", ev.Type)
	}
}
