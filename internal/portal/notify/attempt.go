package notify

import (
	"context"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
)

// attempt sends one job once and stores what happened.
func (n *Notifier) attempt(ctx context.Context, j Job) {
	s := n.senders[j.Envelope.Channel]
	var err error
	if s == nil {
		err = Permanent(ErrNoSender)
	} else {
		err = s.Send(ctx, j.Envelope)
	}
	now := n.cfg.Now()
	j.Attempts++
	j.UpdatedAt = now
	logArgs := []any{"job", j.ID, "template", j.Envelope.Template, "channel", j.Envelope.Channel,
		"to", otp.MaskAddress(j.Envelope.To), "attempt", j.Attempts}
	switch {
	case err == nil:
		j.Status, j.Reason = StatusDelivered, ""
		j.Envelope.Body = ""
		n.log.Info("notify: delivered", logArgs...)
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		j.Status, j.Reason = StatusFailed, reason(err, j.Envelope.To)
		j.Envelope.Body = ""
		n.log.Warn("notify: delivery failed", append(logArgs, "err", j.Reason, "permanent", IsPermanent(err))...)
	default:
		j.Reason = reason(err, j.Envelope.To)
		j.NextAt = now.Add(n.backoff(j.Attempts))
		n.log.Info("notify: will retry", append(logArgs, "err", j.Reason, "next", j.NextAt)...)
	}
	// Store the outcome even if ctx was cancelled meanwhile: a delivered job must not be
	// sent twice for want of an update.
	if uerr := n.q.Update(context.WithoutCancel(ctx), j); uerr != nil {
		n.log.Error("notify: recording delivery outcome", "job", j.ID, "err", uerr)
	}
}

// backoff returns the wait after the attempts-th failure: Backoff, 2×Backoff, 4×… ≤ MaxBackoff.
func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.cfg.Backoff
	for i := 1; i < attempts && d < n.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, n.cfg.MaxBackoff)
}

// reason is the text kept and logged for a failure: the error with the recipient masked (a
// relay's reply may quote the address).
func reason(err error, to string) string {
	msg := err.Error()
	if to != "" {
		msg = strings.ReplaceAll(msg, to, otp.MaskAddress(to))
	}
	return msg
}
