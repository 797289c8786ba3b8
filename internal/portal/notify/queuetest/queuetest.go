// Package queuetest checks that an implementation of notify.Queue behaves as the Notifier
// expects. The portal's database queue runs it in its own tests:
//
//	func TestJobQueue(t *testing.T) { queuetest.Run(t, func(t *testing.T) notify.Queue { return newDBQueue(t) }) }
package queuetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
)

// Run runs the conformance checks; open must return an empty queue.
func Run(t *testing.T, open func(t *testing.T) notify.Queue) {
	t.Run("GetEnqueued", func(t *testing.T) { getEnqueued(t, open(t)) })
	t.Run("ClaimDueOnlyWithLease", func(t *testing.T) { claimLease(t, open(t)) })
	t.Run("UpdateAndEnded", func(t *testing.T) { updateEnded(t, open(t)) })
}

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func job(id string, next time.Time) notify.Job {
	return notify.Job{ID: id, Status: notify.StatusPending, MaxAttempts: 5, NextAt: next, CreatedAt: t0, UpdatedAt: t0,
		Envelope: notify.Envelope{Channel: "sms", To: "+33612345678", Template: "otp_code", Body: "Votre code : 123456"}}
}

func getEnqueued(t *testing.T, q notify.Queue) {
	ctx := context.Background()
	if err := q.Enqueue(ctx, job("a", t0)); err != nil {
		t.Fatal(err)
	}
	got, err := q.Get(ctx, "a")
	if err != nil || got.Envelope.Body != "Votre code : 123456" || got.Status != notify.StatusPending || !got.NextAt.Equal(t0) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := q.Get(ctx, "missing"); !errors.Is(err, notify.ErrNoJob) {
		t.Fatalf("Get(missing) err = %v, want ErrNoJob", err)
	}
}

func claimLease(t *testing.T, q notify.Queue) {
	ctx := context.Background()
	for _, j := range []notify.Job{job("due1", t0), job("due2", t0.Add(time.Second)), job("later", t0.Add(time.Hour))} {
		if err := q.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.Claim(ctx, t0.Add(time.Second), time.Minute, 1)
	if err != nil || len(got) != 1 || got[0].ID != "due1" {
		t.Fatalf("Claim(limit 1) = %+v, %v; want due1 (oldest first)", got, err)
	}
	got, _ = q.Claim(ctx, t0.Add(time.Second), time.Minute, 10)
	if len(got) != 1 || got[0].ID != "due2" {
		t.Fatalf("second Claim = %+v; want only due2 (due1 is leased)", got)
	}
	got, _ = q.Claim(ctx, t0.Add(time.Minute+time.Second), time.Minute, 10)
	if len(got) != 2 || got[0].ID == "later" || got[1].ID == "later" {
		t.Fatalf("Claim after the leases = %+v; want due1 and due2 again, not later", got)
	}
}

func updateEnded(t *testing.T, q notify.Queue) {
	ctx := context.Background()
	j := job("x", t0)
	if err := q.Enqueue(ctx, j); err != nil {
		t.Fatal(err)
	}
	j.Status, j.Attempts, j.Reason, j.Envelope.Body = notify.StatusFailed, 3, "HTTP 503", ""
	if err := q.Update(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, _ := q.Get(ctx, "x")
	if got.Status != notify.StatusFailed || got.Attempts != 3 || got.Reason != "HTTP 503" || got.Envelope.Body != "" {
		t.Fatalf("after Update: %+v", got)
	}
	if c, _ := q.Claim(ctx, t0.Add(time.Hour), time.Minute, 10); len(c) != 0 {
		t.Fatalf("ended job claimed: %+v", c)
	}
	if err := q.Update(ctx, job("missing", t0)); !errors.Is(err, notify.ErrNoJob) {
		t.Fatalf("Update(missing) err = %v, want ErrNoJob", err)
	}
}
