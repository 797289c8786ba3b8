package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestRunDeliversAndWaitReports runs the real worker loop with the real clock.
func TestRunDeliversAndWaitReports(t *testing.T) {
	out := NewOutbox(2)
	n := New(NewMemQueue(), map[string]Sender{api.ChannelSMS: out}, Config{Poll: time.Hour}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var ids []string
	for _, to := range []string{"+33611111111", "+33622222222", "+33633333333"} {
		id, err := n.Send(ctx, Message{Channel: api.ChannelSMS, To: to, Template: TmplOTPCode, Data: Data{Code: "123456", Minutes: 5}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		// Poll is an hour: only the wake-up from Send can have run the delivery.
		rep, err := n.Wait(ctx, id, 5*time.Second)
		if err != nil || rep.Status != StatusDelivered {
			t.Fatalf("Wait(%s) = %+v, %v", id, rep, err)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	// The outbox keeps the last 2 messages (jobs of one batch are sent concurrently, so which
	// two is not fixed), and can filter by recipient.
	l := out.List("")
	if len(l) != 2 || l[0].Envelope.To == l[1].Envelope.To {
		t.Fatalf("outbox %+v", l)
	}
	if f := out.List(l[1].Envelope.To); len(f) != 1 || f[0].Envelope.Template != TmplOTPCode {
		t.Fatalf("outbox filter %+v", f)
	}
}

// failing always fails transiently.
type failing struct{}

func (failing) Send(context.Context, Envelope) error { return errors.New("relay down") }

func TestWaitReturnsPendingOnTimeout(t *testing.T) {
	n := New(NewMemQueue(), map[string]Sender{api.ChannelSMS: failing{}}, Config{Backoff: time.Hour}, nil)
	ctx := context.Background()
	id, _ := n.Send(ctx, otpSMS())
	n.ProcessDue(ctx)
	rep, err := n.Wait(ctx, id, 50*time.Millisecond)
	if err != nil || rep.Status != StatusPending || rep.Attempts != 1 || rep.Reason != "relay down" {
		t.Fatalf("Wait = %+v, %v", rep, err)
	}
}

func TestBackoffCapped(t *testing.T) {
	n := New(NewMemQueue(), nil, Config{Backoff: time.Second, MaxBackoff: 5 * time.Second}, nil)
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := n.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// quoting fails permanently with a reply that quotes the recipient, as some relays do.
type quoting struct{}

func (quoting) Send(_ context.Context, e Envelope) error {
	return Permanent(errors.New("550 5.1.1 <" + e.To + ">: mailbox unavailable"))
}

func TestReasonMasksRecipient(t *testing.T) {
	r := newRig(map[string]Sender{api.ChannelEmail: quoting{}}, 5)
	id, _ := r.n.Send(context.Background(), otpMail("jean.dupont@exemple.fr"))
	rep := r.drain(t, id)
	if rep.Status != StatusFailed || rep.Reason != "550 5.1.1 <j•••@exemple.fr>: mailbox unavailable" {
		t.Fatalf("report %+v", rep)
	}
	if strings.Contains(r.log.String(), "jean.dupont@") {
		t.Fatalf("log has the address:\n%s", r.log.String())
	}
}

func TestAPIError(t *testing.T) {
	if APIError(Report{Status: StatusDelivered}) != nil || APIError(Report{Status: StatusPending}) != nil {
		t.Fatal("error for a job that has not failed")
	}
	e := APIError(Report{ID: "j1", Status: StatusFailed, Reason: "HTTP 400"})
	if e.Code != api.CodeDeliveryFailed || e.Details["job"] != "j1" || strings.Contains(e.Message, "400") {
		t.Fatalf("%+v", e)
	}
}
