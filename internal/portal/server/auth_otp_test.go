package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// wrongCode is a 6-digit code different from code.
func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	s := "000000" + strconv.Itoa((n+1)%1000000)
	return s[len(s)-6:]
}

func TestOTPCodeRules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		// Wrong codes also count toward the account's lock (3 by default, TestAttackOTPAcrossChallenges):
		// a higher lock threshold lets the per-code cap show.
		rig := startAuth(t, dialect, func(a *server.AuthOptions) { a.Password.Lockout.MaxFailures = 20 })
		ctx := context.Background()
		const mail = "jeanne@samu.test"
		rig.account(t, "jeanne.testeuse", mail, goodPW, map[string]string{api.ChannelEmail: mail, api.ChannelSMS: "+33612345678"})
		start := func() string {
			ch, err := rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
			mustOK(t, err)
			return ch.ChallengeID
		}
		sent := 0
		send := func(id string) string {
			_, err := rig.c.SendOTP(ctx, id, api.ChannelEmail)
			mustOK(t, err)
			sent++
			return rig.lastCode(t, mail, sent)
		}

		// Valid 5 minutes.
		id := start()
		code := send(id)
		rig.clk.Add(5 * time.Minute)
		_, err := rig.c.VerifyOTP(ctx, id, code, false)
		wantCode(t, err, api.CodeOTPExpired)

		// At most 5 tries per code: the 5th wrong one ends the code, the right one is then refused.
		id = start()
		code = send(id)
		for i := 1; i <= 4; i++ {
			_, err := rig.c.VerifyOTP(ctx, id, wrongCode(code), false)
			wantCode(t, err, api.CodeOTPInvalid)
			if got := api.DetailOf(err, "tries_left"); got != strconv.Itoa(5-i) {
				t.Fatalf("try %d: tries_left %q", i, got)
			}
		}
		_, err = rig.c.VerifyOTP(ctx, id, wrongCode(code), false)
		wantCode(t, err, api.CodeOTPTriesExceeded)
		_, err = rig.c.VerifyOTP(ctx, id, code, false)
		wantCode(t, err, api.CodeOTPTriesExceeded)

		// A new code after 30 s, at most 5 codes; the previous code stops working.
		id = start()
		old := send(id)
		_, err = rig.c.SendOTP(ctx, id, api.ChannelEmail)
		wantCode(t, err, api.CodeOTPResendTooSoon)
		if got := api.DetailOf(err, "retry_after"); got != "30" {
			t.Fatalf("retry_after %q", got)
		}
		for i := 2; i <= 5; i++ {
			rig.clk.Add(30 * time.Second)
			code = send(id)
		}
		rig.clk.Add(30 * time.Second)
		_, err = rig.c.SendOTP(ctx, id, api.ChannelEmail)
		wantCode(t, err, api.CodeOTPResendCap)
		if old != code {
			_, err = rig.c.VerifyOTP(ctx, id, old, false)
			wantCode(t, err, api.CodeOTPInvalid)
		}
		_, err = rig.c.VerifyOTP(ctx, id, code, false)
		mustOK(t, err)

		// The whole OTP step expires 15 minutes after the password.
		id = start()
		rig.clk.Add(15 * time.Minute)
		_, err = rig.c.SendOTP(ctx, id, api.ChannelEmail)
		wantCode(t, err, api.CodeOTPExpired)

		// A failed delivery is told, not swallowed (SMS gateway refusing: permanent).
		rig.sms.fail(http.StatusBadRequest)
		id = start()
		_, err = rig.c.SendOTP(ctx, id, api.ChannelSMS)
		wantCode(t, err, api.CodeDeliveryFailed)
		if rig.auditCount(t, store.AuditOTPSend, store.ResultRefused) == 0 {
			t.Fatal("failed delivery not audited")
		}
		_, err = rig.c.SendOTP(ctx, "no-such-challenge", api.ChannelEmail)
		wantCode(t, err, api.CodeOTPExpired)
	})
}

// TestOTPDeliveryPolled: a send that cannot wait for its outcome answers "pending"; the client
// polls until delivered, or until the gateway's failure shows as delivery_failed.
func TestOTPDeliveryPolled(t *testing.T) {
	rig := startAuth(t, store.SQLite, func(a *server.AuthOptions) { a.DeliveryWait = time.Nanosecond })
	ctx := context.Background()
	rig.account(t, "jeanne.testeuse", "jeanne@samu.test", goodPW, map[string]string{api.ChannelSMS: "+33612345678"})
	poll := func(id string) (api.OTPSendResponse, error) {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			r, err := rig.c.OTPDelivery(ctx, id)
			if err != nil || r.Delivery != api.DeliveryPending {
				return r, err
			}
			rig.clk.Add(100 * time.Millisecond) // the retry backoff runs on the injected clock
		}
		t.Fatal("still pending after 10 s")
		return api.OTPSendResponse{}, nil
	}
	ch, err := rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
	mustOK(t, err)
	r, err := rig.c.SendOTPStatus(ctx, ch.ChallengeID, api.ChannelSMS)
	mustOK(t, err)
	if r.Delivery != api.DeliveryPending {
		t.Fatalf("delivery %q, want pending", r.Delivery)
	}
	r, err = poll(ch.ChallengeID)
	mustOK(t, err)
	if r.Delivery != api.DeliveryDelivered || r.SentTo != "06 •• •• •• 78" {
		t.Fatalf("after polling: %+v", r)
	}
	rig.sms.fail(http.StatusServiceUnavailable) // transient: retried, then failed (2 attempts)
	ch, err = rig.c.SignInPassword(ctx, "jeanne.testeuse", []byte(goodPW), "poste-1", "")
	mustOK(t, err)
	_, err = rig.c.SendOTPStatus(ctx, ch.ChallengeID, api.ChannelSMS)
	mustOK(t, err)
	_, err = poll(ch.ChallengeID)
	wantCode(t, err, api.CodeDeliveryFailed)
}
