package pscsim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/luikyv/go-oidc/pkg/goidc"
)

// Push states.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StateDenied   = "denied"
	StateExpired  = "expired"
)

// Errors of Approve and Deny.
var (
	ErrUnknownPush = errors.New("pscsim: no such push")
	ErrAnswered    = errors.New("pscsim: push already answered")
	ErrExpired     = errors.New("pscsim: push expired")
)

// Push is a CIBA request as the simulated phone sees it, with what the token endpoint saw.
type Push struct {
	AuthReqID   string    `json:"auth_req_id"`
	ClientID    string    `json:"client_id"`
	NationalID  string    `json:"national_id"`
	BindingCode string    `json:"binding_code"`
	Channel     string    `json:"channel"` // MOBILE or CARD
	Scope       string    `json:"scope"`
	ACRValues   string    `json:"acr_values"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"` // whole second: a poll at or after it is expired
	State       string    `json:"state"`
	// Answered is when the phone approved or denied (zero while pending or expired).
	Answered time.Time `json:"answered"`
	// Polls are the arrival times of the token requests for this auth_req_id.
	Polls            []time.Time `json:"polls"`
	PollsAfterExpiry int         `json:"polls_after_expiry"`
	// PollsAfterFinal counts polls after a final answer (tokens, access_denied, expired_token).
	PollsAfterFinal int `json:"polls_after_final"`
	SlowDowns       int `json:"slow_downs"`
	TooFast         int `json:"too_fast"`
	// Answers are the token endpoint's answers, in order ("authorization_pending", "slow_down",
	// "tokens", "access_denied", "expired_token" …).
	Answers []string `json:"answers"`
}

type push struct {
	Push
	interval time.Duration // grows by 5 s per slow_down
	final    bool
}

var bindingRE = regexp.MustCompile(`^[0-9]{2}$`)

// onPush is the provider's CIBA session handler: PSC's checks, then the push is recorded.
func (s *Server) onPush(ctx context.Context, as *goidc.AuthnSession, c *goidc.Client) error {
	info, _ := ctx.Value(keyRequest).(*reqInfo)
	channel := "MOBILE"
	if info != nil && info.r.PostFormValue("channel") != "" {
		channel = info.r.PostFormValue("channel")
	}
	if channel != "MOBILE" && channel != "CARD" {
		return goidc.NewError(goidc.ErrorCodeInvalidRequest, "channel must be MOBILE or CARD")
	}
	if _, ok := s.users.byID[as.LoginHint]; !ok {
		return goidc.NewError(goidc.ErrorCodeUnknownUserID, "unknown login_hint")
	}
	if !bindingRE.MatchString(as.BindingMessage) {
		return goidc.NewError(goidc.ErrorCodeInvalidBindingMessage, "binding_message must be two digits")
	}
	k := s.Knobs()
	if k.ExpiresIn > 0 && as.RequestedExpiry == nil {
		as.ExpiresAt = int(time.Now().Unix()) + secs(k.ExpiresIn)
	}
	as.Store = map[string]any{"authMode": channel}
	p := &push{interval: s.cfg.Interval, Push: Push{
		AuthReqID: as.AuthReqID, ClientID: c.ID, NationalID: as.LoginHint, BindingCode: as.BindingMessage,
		Channel: channel, Scope: as.Scopes, ACRValues: as.ACRValues, Created: time.Now(),
		Expires: time.Unix(int64(as.ExpiresAt), 0), State: StatePending,
	}}
	s.mu.Lock()
	s.forgetOldLocked()
	s.pushes[p.AuthReqID] = p
	s.order = append(s.order, p.AuthReqID)
	s.stats.Pushes++
	s.notifyLocked()
	s.mu.Unlock()
	if info != nil {
		info.pushID = p.AuthReqID
	}
	s.log.Info("pscsim: push", "national_id", p.NationalID, "code", p.BindingCode, "channel", channel)
	return nil
}

// maxPushes bounds the pushes kept in memory: beyond it the oldest are forgotten (a long
// demo or a benchmark must not grow without end; the provider itself keeps only 100 sessions).
const maxPushes = 10000

func (s *Server) forgetOldLocked() {
	if len(s.order) < maxPushes {
		return
	}
	drop := len(s.order) - maxPushes + 1
	for _, id := range s.order[:drop] {
		delete(s.pushes, id)
	}
	s.order = append([]string(nil), s.order[drop:]...)
}

// notifyLocked wakes WaitPending callers; s.mu is held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// scheduleAnswer answers a new push on its own under ApproveAuto or ApproveDeny.
func (s *Server) scheduleAnswer(id string) {
	k := s.Knobs()
	if k.Approve == ApproveManual {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(k.ApproveDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closing:
			return
		}
		answer := s.Approve
		if k.Approve == ApproveDeny {
			answer = s.Deny
		}
		if err := answer(id); err != nil {
			s.log.Info("pscsim: automatic answer", "err", err)
		}
	}()
}

// Approve answers a push as the holder approving it on the phone.
func (s *Server) Approve(authReqID string) error {
	p, err := s.answerable(authReqID)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s.answerMu.Lock()
	defer s.answerMu.Unlock()
	as, err := s.op.CIBAManager().SessionByAuthReqID(ctx, authReqID)
	if err != nil {
		return fmt.Errorf("pscsim: approve: %w", err)
	}
	as.Subject = Sub(p.NationalID)
	as.Username = p.NationalID
	as.GrantedScopes = as.Scopes
	if err := s.op.CIBAManager().SaveSession(ctx, as); err != nil {
		return fmt.Errorf("pscsim: approve: %w", err)
	}
	if err := s.op.GrantCIBARequest(ctx, authReqID); err != nil {
		return fmt.Errorf("pscsim: approve: %w", err)
	}
	s.setState(authReqID, StateApproved)
	s.log.Info("pscsim: approved", "national_id", p.NationalID, "code", p.BindingCode)
	return nil
}

// Deny answers a push as the holder refusing it on the phone: the next poll gets access_denied.
func (s *Server) Deny(authReqID string) error {
	p, err := s.answerable(authReqID)
	if err != nil {
		return err
	}
	denied := goidc.NewError(goidc.ErrorCodeAccessDenied, "refused on the phone")
	s.answerMu.Lock()
	defer s.answerMu.Unlock()
	if err := s.op.DenyCIBARequest(context.Background(), authReqID, denied); err != nil {
		return fmt.Errorf("pscsim: deny: %w", err)
	}
	s.setState(authReqID, StateDenied)
	s.log.Info("pscsim: denied", "national_id", p.NationalID, "code", p.BindingCode)
	return nil
}

// answerable gives a copy of a pending, unexpired push.
func (s *Server) answerable(id string) (Push, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pushes[id]
	switch {
	case !ok:
		return Push{}, ErrUnknownPush
	case p.State == StatePending && time.Now().Unix() >= p.Expires.Unix():
		p.State = StateExpired
		s.notifyLocked()
		return Push{}, ErrExpired
	case p.State == StateExpired:
		return Push{}, ErrExpired
	case p.State != StatePending:
		return Push{}, ErrAnswered
	}
	return p.copy(), nil
}

func (s *Server) setState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pushes[id]; ok {
		p.State, p.Answered = state, time.Now()
		s.notifyLocked()
	}
}

func (p *push) copy() Push {
	c := p.Push
	c.Polls = append([]time.Time(nil), p.Polls...)
	c.Answers = append([]string(nil), p.Answers...)
	return c
}
