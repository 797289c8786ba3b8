package pscsim

import (
	"context"
	"time"
)

// Stats counts what the token endpoint saw, for tests of a PSC client's polling.
type Stats struct {
	Pushes int `json:"pushes"`
	// Polls counts CIBA token requests; PollsByID per auth_req_id.
	Polls     int            `json:"polls"`
	PollsByID map[string]int `json:"polls_by_id"`
	// PollsUnknown: polls with an auth_req_id the simulator never issued.
	PollsUnknown int `json:"polls_unknown"`
	// PollsAfterExpiry: polls at or after a push's expiry (a client must stop before).
	PollsAfterExpiry int `json:"polls_after_expiry"`
	// PollsAfterFinal: polls after tokens, access_denied or expired_token were answered.
	PollsAfterFinal int `json:"polls_after_final"`
	// SlowDownSent: slow_down answers; TooFast: polls sooner than the interval (grown by
	// 5 s per slow_down) after the previous poll of the same auth_req_id.
	SlowDownSent int `json:"slow_down_sent"`
	TooFast      int `json:"too_fast"`
	Logouts      int `json:"logouts"`
}

// pollTolerance forgives clock granularity when telling a too-fast poll.
const pollTolerance = 50 * time.Millisecond

// Stats gives a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.PollsByID = map[string]int{}
	for id, p := range s.pushes {
		if len(p.Polls) > 0 {
			st.PollsByID[id] = len(p.Polls)
		}
	}
	return st
}

// Pushes gives every push, oldest first.
func (s *Server) Pushes() []Push {
	return s.filter(func(*push) bool { return true })
}

// Pending gives the pushes waiting for an answer on the phone (not expired), oldest first.
func (s *Server) Pending() []Push {
	now := time.Now().Unix()
	return s.filter(func(p *push) bool { return p.State == StatePending && now < p.Expires.Unix() })
}

// Push gives one push by auth_req_id.
func (s *Server) Push(authReqID string) (Push, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pushes[authReqID]
	if !ok {
		return Push{}, false
	}
	return p.copy(), true
}

func (s *Server) filter(keep func(*push) bool) []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Push
	for _, id := range s.order {
		if p := s.pushes[id]; keep(p) {
			out = append(out, p.copy())
		}
	}
	return out
}

// WaitPending waits for a pending push to nationalID ("" for anyone) and gives the newest.
func (s *Server) WaitPending(ctx context.Context, nationalID string) (Push, error) {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		pending := s.Pending()
		for i := len(pending) - 1; i >= 0; i-- {
			if nationalID == "" || pending[i].NationalID == nationalID {
				return pending[i], nil
			}
		}
		select {
		case <-ctx.Done():
			return Push{}, ctx.Err()
		case <-changed:
		case <-s.closing:
			return Push{}, ErrUnknownPush
		}
	}
}

// recordPoll counts a CIBA token request; true: answer slow_down.
func (s *Server) recordPoll(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Polls++
	p, ok := s.pushes[id]
	if !ok {
		s.stats.PollsUnknown++
		return false
	}
	if n := len(p.Polls); n > 0 && now.Sub(p.Polls[n-1]) < p.interval-pollTolerance {
		p.TooFast++
		s.stats.TooFast++
	}
	p.Polls = append(p.Polls, now)
	if p.final {
		p.PollsAfterFinal++
		s.stats.PollsAfterFinal++
	}
	if now.Unix() >= p.Expires.Unix() {
		p.PollsAfterExpiry++
		s.stats.PollsAfterExpiry++
		if p.State == StatePending {
			p.State = StateExpired
			s.notifyLocked()
		}
		return false
	}
	if p.State == StatePending && p.SlowDowns < s.knobs.SlowDown {
		p.SlowDowns++
		p.interval += 5 * time.Second
		s.stats.SlowDownSent++
		return true
	}
	return false
}

// recordAnswer notes the token endpoint's answer to a poll.
func (s *Server) recordAnswer(id, answer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pushes[id]
	if !ok {
		return
	}
	p.Answers = append(p.Answers, answer)
	switch answer {
	case "tokens", "access_denied", "expired_token":
		p.final = true
	}
}
