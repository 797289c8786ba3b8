package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
)

// Config tunes delivery.
type Config struct {
	MaxAttempts int              // tries per job, the first included; 5 when zero
	Backoff     time.Duration    // wait after the first failure, doubled each time; 2 s when zero
	MaxBackoff  time.Duration    // cap of the wait; 5 min when zero
	Lease       time.Duration    // how long a claimed job is hidden from other workers; 2 min when zero
	Poll        time.Duration    // Run's polling period when not woken; 1 s when zero
	Batch       int              // jobs claimed at once; 10 when zero
	Now         func() time.Time // clock; time.Now when nil
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	def(&c.Backoff, 2*time.Second)
	def(&c.MaxBackoff, 5*time.Minute)
	def(&c.Lease, 2*time.Minute)
	def(&c.Poll, time.Second)
	if c.Batch <= 0 {
		c.Batch = 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Message is what the portal asks to send.
type Message struct {
	Channel  string // api.ChannelEmail or api.ChannelSMS
	To       string // normalised address (otp.ParseChannel)
	Template string // Tmpl…
	Lang     string // "fr" (default) or "en"
	Data     Data
}

// Report is the delivery state of a job as callers see it.
type Report struct {
	ID        string
	Status    Status
	Attempts  int
	Reason    string // why the last attempt failed; set when Status is StatusFailed
	UpdatedAt time.Time
}

// ErrNoSender means no Sender is configured for a channel.
var ErrNoSender = errors.New("notify: no sender for this channel")

// Notifier queues messages and delivers them.
type Notifier struct {
	q       Queue
	senders map[string]Sender
	cfg     Config
	log     *slog.Logger
	wake    chan struct{}
}

// New returns a Notifier; log may be nil.
func New(q Queue, senders map[string]Sender, cfg Config, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{q: q, senders: senders, cfg: cfg.withDefaults(), log: log, wake: make(chan struct{}, 1)}
}

// Send renders m, queues it and returns the job id. It fails at once (no job) on an unknown
// template, missing data, a template without an SMS form sent by SMS, or a channel without a
// sender.
func (n *Notifier) Send(ctx context.Context, m Message) (string, error) {
	if n.senders[m.Channel] == nil {
		return "", fmt.Errorf("%w: %q", ErrNoSender, m.Channel)
	}
	r, err := Render(m.Template, m.Lang, m.Data)
	if err != nil {
		return "", err
	}
	env := Envelope{Channel: m.Channel, To: m.To, Template: m.Template, Subject: r.Subject, Body: r.Body}
	if m.Channel == api.ChannelSMS {
		if r.SMS == "" {
			return "", fmt.Errorf("%w: %s has no SMS form", ErrTemplate, m.Template)
		}
		env.Subject, env.Body = "", r.SMS
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	now := n.cfg.Now()
	j := Job{ID: id, Envelope: env, Status: StatusPending, MaxAttempts: n.cfg.MaxAttempts,
		NextAt: now, CreatedAt: now, UpdatedAt: now}
	if err := n.q.Enqueue(ctx, j); err != nil {
		return "", fmt.Errorf("notify: enqueue: %w", err)
	}
	n.log.Info("notify: queued", "job", id, "template", m.Template, "channel", m.Channel, "to", otp.MaskAddress(m.To))
	select {
	case n.wake <- struct{}{}:
	default:
	}
	return id, nil
}

// Status returns the delivery state of job id.
func (n *Notifier) Status(ctx context.Context, id string) (Report, error) {
	j, err := n.q.Get(ctx, id)
	if err != nil {
		return Report{}, fmt.Errorf("notify: status of %s: %w", id, err)
	}
	return Report{ID: j.ID, Status: j.Status, Attempts: j.Attempts, Reason: j.Reason, UpdatedAt: j.UpdatedAt}, nil
}

// Wait polls job id until it has ended or timeout has passed, and returns its last state
// (possibly still pending). The portal uses it to tell the user at once that a code could not
// be sent (api.CodeDeliveryFailed) rather than leave them waiting.
func (n *Notifier) Wait(ctx context.Context, id string, timeout time.Duration) (Report, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		r, err := n.Status(context.WithoutCancel(ctx), id)
		if err != nil || r.Status != StatusPending {
			return r, err
		}
		select {
		case <-ctx.Done():
			return r, nil
		case <-tick.C:
		}
	}
}

// Run delivers jobs until ctx ends.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := n.ProcessDue(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("notify: claiming jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-n.wake:
		}
	}
}

// ProcessDue claims the jobs due now, tries each once (concurrently) and records the outcome.
// It returns how many it tried.
func (n *Notifier) ProcessDue(ctx context.Context) (int, error) {
	jobs, err := n.q.Claim(ctx, n.cfg.Now(), n.cfg.Lease, n.cfg.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { n.attempt(ctx, j) })
	}
	wg.Wait()
	return len(jobs), nil
}

func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("notify: job id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
