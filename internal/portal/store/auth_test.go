package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/queuetest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestNotifyQueue runs the notify.Queue conformance checks on the database queue.
func TestNotifyQueue(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T) notify.Queue { return storetest.Open(t, d).NotifyQueue() })
		})
	}
}

// TestChallengeCompareAndSet: two writers of one challenge state cannot both win, and a
// redeemed link cannot be redeemed again.
func TestChallengeCompareAndSet(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			st := storetest.Open(t, d)
			ctx := context.Background()
			u := store.User{Identifiant: "jeanne.testeuse", GivenName: "Jeanne", FamilyName: "Testeuse", Habilitation: true}
			if err := st.AddUser(ctx, &u, nil); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Millisecond)
			c := store.Challenge{ID: store.NewID(), UserID: u.ID, Purpose: store.PurposeSignIn, Workstation: "p1",
				CreatedAt: now, OTP: otp.Challenge{ID: "x", Channel: otp.Channel{Kind: "email", Address: "j@x.fr"},
					CodeMAC: []byte{1, 2, 3}, IssuedAt: now, ExpiresAt: now.Add(time.Minute), LastSentAt: now, Sends: 1}}
			if err := st.AddChallenge(ctx, c, store.AuditEntry{}); err != nil {
				t.Fatal(err)
			}
			got, err := st.ChallengeByID(ctx, c.ID)
			if err != nil || string(got.OTP.CodeMAC) != string(c.OTP.CodeMAC) || !got.OTP.ExpiresAt.Equal(c.OTP.ExpiresAt) {
				t.Fatalf("read back %+v, %v", got, err)
			}
			a, b := got, got
			a.OTP.Tries, b.OTP.Used = 1, true
			if err := st.UpdateChallenge(ctx, got, a, store.AuditEntry{}); err != nil {
				t.Fatal(err)
			}
			if err := st.UpdateChallenge(ctx, got, b, store.AuditEntry{}); err != store.ErrChanged {
				t.Fatalf("stale update: %v, want ErrChanged", err)
			}
			_, l, err := otp.NewLink(u.ID, otp.PurposeResetPassword, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.AddLink(ctx, l); err != nil {
				t.Fatal(err)
			}
			l.UsedAt = now
			nop := func(*store.Tx) error { return nil }
			if err := st.RedeemLink(ctx, l, nop); err != nil {
				t.Fatal(err)
			}
			if err := st.RedeemLink(ctx, l, nop); err != store.ErrChanged {
				t.Fatalf("second redemption: %v, want ErrChanged", err)
			}
		})
	}
}
