package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func TestLinkTakeoverAndRelease(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.open(t, f.alice, "ws-a", time.Hour)
		b := f.open(t, f.bob, "ws-b", time.Hour)
		if _, err := f.s.LinkPhone(ctx, store.LinkRequest{SessionID: a.ID, Number: "1001"}); !errors.Is(err, store.ErrProfileNeeded) {
			t.Fatalf("link without profile: %v", err)
		}
		_, err := f.s.ChooseProfile(ctx, a.ID, f.pa.ID)
		must(t, err)
		if _, err := f.s.ChooseProfile(ctx, b.ID, f.pa.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("choosing another user's profile: %v", err)
		}
		_, err = f.s.ChooseProfile(ctx, b.ID, f.pb.ID)
		must(t, err)
		if _, err := f.s.LinkPhone(ctx, store.LinkRequest{SessionID: a.ID, Number: "2001"}); !errors.Is(err, store.ErrPhoneUnknown) {
			t.Fatalf("phone of another entity: %v", err)
		}
		got, err := f.s.LinkPhone(ctx, store.LinkRequest{SessionID: a.ID, Number: "1001"})
		must(t, err)
		if got.Phone != "1001" {
			t.Fatalf("linked phone %q", got.Phone)
		}
		_, err = f.s.LinkPhone(ctx, store.LinkRequest{SessionID: b.ID, Number: "1001"})
		var taken *store.PhoneTakenError
		if !errors.As(err, &taken) || taken.Holder != "Alice MARTIN" || taken.SessionID != a.ID {
			t.Fatalf("link of a held phone: %v (%+v)", err, taken)
		}
		last, err := f.s.LastEventID(ctx, a.ID)
		must(t, err)
		_, err = f.s.LinkPhone(ctx, store.LinkRequest{SessionID: b.ID, Number: "1001", Takeover: true, ByName: "Bob DURAND"})
		must(t, err)
		sa, err := f.s.SessionByID(ctx, a.ID)
		must(t, err)
		if sa.Phone != "" {
			t.Fatalf("session taken over still holds %q", sa.Phone)
		}
		ev, err := f.s.Events(ctx, a.ID, last)
		must(t, err)
		if len(ev) != 1 || ev[0].Type != store.EventPhoneTakenOver || ev[0].By != "Bob DURAND" || ev[0].Phone != "1001" {
			t.Fatalf("events of the session taken over: %+v", ev)
		}
		must(t, f.s.EndSession(ctx, b.ID, store.EndSignedOut, store.AuditEntry{Event: store.AuditSignOut}))
		ph, err := f.s.Phones(ctx, "samu75")
		must(t, err)
		for _, p := range ph {
			if p.SessionID != "" {
				t.Fatalf("phone %s still linked to %s after sign-out", p.Number, p.SessionID)
			}
		}
		if err := f.s.EndSession(ctx, b.ID, store.EndRevoked, store.AuditEntry{}); !errors.Is(err, store.ErrSessionEnded) {
			t.Fatalf("ending twice: %v", err)
		}
		if _, _, err := f.s.LastChoice(ctx, f.bob.ID, "ws-b"); err != nil {
			t.Fatal(err)
		}
		prof, phone, _ := f.s.LastChoice(ctx, f.bob.ID, "ws-b")
		if prof != f.pb.ID || phone != "1001" {
			t.Fatalf("last choice %q %q", prof, phone)
		}
	})
}

func TestConcurrentLinksOneWinner(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const n = 8
		ids := make([]string, n)
		for i := range ids {
			u := f.alice
			p := f.pa
			if i%2 == 1 {
				u, p = f.bob, f.pb
			}
			s := f.open(t, u, "ws", time.Hour)
			_, err := f.s.ChooseProfile(ctx, s.ID, p.ID)
			must(t, err)
			ids[i] = s.ID
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.LinkPhone(ctx, store.LinkRequest{SessionID: ids[i], Number: "1002"})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			var taken *store.PhoneTakenError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &taken):
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d sessions linked the same phone, want 1", wins)
		}
	})
}

func TestSweepFreesExpiredSessions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		now := time.Now()
		f.s.SetClock(func() time.Time { return now })
		a := f.open(t, f.alice, "ws-a", time.Minute)
		_, err := f.s.ChooseProfile(ctx, a.ID, f.pa.ID)
		must(t, err)
		_, err = f.s.LinkPhone(ctx, store.LinkRequest{SessionID: a.ID, Number: "1001"})
		must(t, err)
		now = now.Add(2 * time.Minute)
		// A dead holder never blocks: the link is dropped, no conflict.
		b := f.open(t, f.bob, "ws-b", time.Hour)
		_, err = f.s.ChooseProfile(ctx, b.ID, f.pb.ID)
		must(t, err)
		if _, err := f.s.ChooseProfile(ctx, a.ID, f.pa.ID); !errors.Is(err, store.ErrSessionEnded) {
			t.Fatalf("expired session accepted a change: %v", err)
		}
		n, err := f.s.Sweep(ctx)
		must(t, err)
		if n != 1 {
			t.Fatalf("swept %d sessions, want 1", n)
		}
		sa, err := f.s.SessionByID(ctx, a.ID)
		must(t, err)
		if sa.EndReason != store.EndExpired || sa.Phone != "" {
			t.Fatalf("swept session: reason %q phone %q", sa.EndReason, sa.Phone)
		}
		_, err = f.s.LinkPhone(ctx, store.LinkRequest{SessionID: b.ID, Number: "1001"})
		must(t, err)
		ev, err := f.s.Events(ctx, a.ID, 0)
		must(t, err)
		if len(ev) != 1 || ev[0].Type != store.EventExpired {
			t.Fatalf("events of the swept session: %+v", ev)
		}
	})
}
