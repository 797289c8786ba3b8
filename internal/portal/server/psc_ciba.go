package server

import (
	"context"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// cibaRequest is a CIBA sign-in in flight. The portal polls PSC for it in the background and
// opens the session as soon as PSC answers; the agent collects the outcome by long poll.
type cibaRequest struct {
	attempt   pscAttempt
	expiresAt time.Time
	cancel    context.CancelFunc
	done      chan struct{} // closed when in or err is set
	in        api.SignIn
	err       *api.Error
}

// startCIBA: POST /v1/signin/psc/ciba. Draws the binding code, asks PSC to push the sign-in
// to the holder's phone and starts polling. Nothing about the account is looked up before
// PSC's approval: an unknown national id is told only then, as for a card.
func (s *Server) startCIBA(r *http.Request, req api.PSCStartRequest) (api.PSCStart, *api.Error) {
	c, e := s.pscClient()
	if e != nil {
		return api.PSCStart{}, e
	}
	if !validText(req.Workstation, 128) {
		return api.PSCStart{}, badRequest("workstation: 1 to 128 printable characters")
	}
	// National ids are not digits only (staff ids carry a slash, test ids letters).
	if !validText(req.NationalID, 64) {
		return api.PSCStart{}, badRequest("national_id: 1 to 64 printable characters")
	}
	a := pscAttempt{flow: "ciba", subject: req.NationalID, workstation: req.Workstation, remote: r.RemoteAddr}
	binding := psc.BindingCode()
	ar, err := c.StartCIBA(r.Context(), req.NationalID, binding)
	if err != nil {
		return api.PSCStart{}, s.pscRefused(r.Context(), a, err, "")
	}
	ctx, cancel := context.WithDeadline(context.Background(), ar.ExpiresAt.Add(5*time.Second))
	cr := &cibaRequest{attempt: a, expiresAt: ar.ExpiresAt, cancel: cancel, done: make(chan struct{})}
	id := psc.RandomToken()
	s.psc.mu.Lock()
	s.psc.ciba[id] = cr
	s.psc.mu.Unlock()
	go s.pollCIBA(ctx, c, ar, cr)
	// Uncollected outcomes go after the expiry; a session nobody collected is ended.
	time.AfterFunc(time.Until(ar.ExpiresAt)+s.opts.PSC.WaitMax+time.Minute, func() { s.dropCIBA(id, "not collected") })
	return api.PSCStart{RequestID: id, BindingCode: binding, ExpiresAt: ar.ExpiresAt,
		Interval: int(ar.Interval / time.Second)}, nil
}

// pollCIBA polls PSC until approval, denial, expiry or cancellation and records the outcome.
func (s *Server) pollCIBA(ctx context.Context, c *psc.Client, ar psc.AuthRequest, cr *cibaRequest) {
	defer cr.cancel()
	go func() {
		select {
		case <-s.closing:
			cr.cancel()
		case <-ctx.Done():
		}
	}()
	actx := context.WithoutCancel(ctx)
	toks, err := c.Poll(ctx, ar)
	if err == nil {
		var id psc.Identity
		if id, err = c.Identify(ctx, toks, ""); err == nil {
			cr.in, cr.err = s.pscSignIn(actx, cr.attempt, id)
			close(cr.done)
			return
		}
	}
	cr.err = s.pscRefused(actx, cr.attempt, err, "")
	close(cr.done)
}

// waitCIBA: POST /v1/signin/psc/ciba/wait. A long poll (up to WaitMax): pending, or the
// sign-in, or the refusal. Long poll rather than SSE: one outcome per request, the same JSON
// answers and error codes as every other route, and nothing held open past the answer.
func (s *Server) waitCIBA(r *http.Request, req api.PSCRequest) (api.PSCWait, *api.Error) {
	cr := s.cibaByID(req.RequestID)
	if cr == nil {
		return api.PSCWait{}, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such PSC sign-in"}
	}
	t := time.NewTimer(min(s.opts.PSC.WaitMax, time.Until(cr.expiresAt)+5*time.Second))
	defer t.Stop()
	select {
	case <-cr.done:
	case <-t.C:
		return api.PSCWait{Status: api.PSCPending, ExpiresAt: cr.expiresAt}, nil
	case <-r.Context().Done():
		return api.PSCWait{}, &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeInternal, Message: "request ended"}
	}
	s.psc.mu.Lock()
	delete(s.psc.ciba, req.RequestID) // collected once
	s.psc.mu.Unlock()
	if cr.err != nil {
		return api.PSCWait{}, cr.err
	}
	in := cr.in
	return api.PSCWait{Status: api.PSCDone, ExpiresAt: cr.expiresAt, SignIn: &in}, nil
}

// cancelCIBA: POST /v1/signin/psc/ciba/cancel. Stops polling at once (psc_cancelled); a
// session PSC already granted is ended.
func (s *Server) cancelCIBA(r *http.Request, req api.PSCRequest) (struct{}, *api.Error) {
	if !s.dropCIBA(req.RequestID, "cancelled by the agent") {
		return struct{}{}, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such PSC sign-in"}
	}
	return struct{}{}, nil
}

func (s *Server) cibaByID(id string) *cibaRequest {
	if id == "" {
		return nil
	}
	s.psc.mu.Lock()
	defer s.psc.mu.Unlock()
	return s.psc.ciba[id]
}

// dropCIBA forgets a request: polling stops, and a session opened but never collected is
// ended so that nothing is left behind.
func (s *Server) dropCIBA(id, why string) bool {
	s.psc.mu.Lock()
	cr := s.psc.ciba[id]
	delete(s.psc.ciba, id)
	s.psc.mu.Unlock()
	if cr == nil {
		return false
	}
	cr.cancel()
	<-cr.done
	if cr.err == nil && cr.in.Session.ID != "" {
		err := s.st.EndSession(context.Background(), cr.in.Session.ID, store.EndRevoked, store.AuditEntry{
			Event: store.AuditRevoke, UserID: cr.in.Session.User.ID, Workstation: cr.attempt.workstation, Detail: "psc ciba: " + why})
		if err != nil {
			s.log.Warn("psc: end uncollected session", "err", err)
		}
	}
	return true
}
