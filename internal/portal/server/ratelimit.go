package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// RateLimit is the per-client-address token bucket of the password, OTP and recovery routes
// (not card sign-in: see docs/portal.md "Rate limiting"). PerSecond <= 0 turns it off.
type RateLimit struct {
	PerSecond float64 // tokens added per second for one address
	Burst     int     // bucket size (requests allowed at once); at least 1 when on
}

// On reports whether the limit applies.
func (l RateLimit) On() bool { return l.PerSecond > 0 }

// limiterIdle is how long an address's bucket is kept after its last request; auditOnce is
// the minimum gap between two audit lines for the same refused address (a spray must not
// flood the audit trail).
const (
	limiterIdle = 10 * time.Minute
	auditOnce   = time.Minute
)

type bucket struct {
	lim     *rate.Limiter
	last    time.Time // last request
	audited time.Time // last audit line written for a refusal
}

// limiter keeps one bucket per client address.
type limiter struct {
	conf    RateLimit
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

func newLimiter(c RateLimit) *limiter {
	if c.Burst < 1 {
		c.Burst = 1
	}
	return &limiter{conf: c, buckets: map[string]*bucket{}}
}

// allow takes a token for addr at now. When none is left it returns false, the wait before
// the next token, and whether this refusal should be audited.
func (l *limiter) allow(addr string, now time.Time) (ok bool, wait time.Duration, audit bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.conf.PerSecond), l.conf.Burst)}
		l.buckets[addr] = b
	}
	b.last = now
	res := b.lim.ReserveN(now, 1)
	wait = res.DelayFrom(now)
	if wait == 0 {
		return true, 0, false
	}
	res.CancelAt(now)
	if now.Sub(b.audited) >= auditOnce {
		b.audited, audit = now, true
	}
	return false, wait, audit
}

// sweep drops the buckets idle for limiterIdle (at most once a minute).
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.last) > limiterIdle {
			delete(l.buckets, k)
		}
	}
}

// clientAddr is the request's peer IP (the port dropped). The portal is reached directly
// (mutual TLS ends here), so X-Forwarded-For is not trusted.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limited wraps h with the address rate limit (h itself when the limit is off). A refusal is
// 429 rate_limited with Retry-After (whole seconds, at least 1), counted in
// cpx_portal_rate_limited_total and audited at most once a minute per address.
func (s *Server) limited(route string, h http.HandlerFunc) http.Handler {
	if s.limiter == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		ok, wait, audit := s.limiter.allow(addr, time.Now())
		if ok {
			h(w, r)
			return
		}
		s.metrics.limited.WithLabelValues(route).Inc()
		if audit {
			s.audit(r.Context(), store.AuditEntry{Event: store.AuditRateLimited, Result: store.ResultRefused,
				Code: api.CodeRateLimited, Remote: r.RemoteAddr, Detail: route})
		}
		secs := int(math.Ceil(wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		WriteError(w, &api.Error{Status: http.StatusTooManyRequests, Code: api.CodeRateLimited,
			Message: "Trop de tentatives depuis ce poste : réessayez dans " + strconv.Itoa(secs) + " s"})
	})
}
