package agent

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestSessionEvents: a phone takeover keeps the session but clears the phone; a revocation
// signs out to the home screen.
func TestSessionEvents(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.p.actions = []string{api.ActionLinkPhone}
	h.mon.insert(readerA, true)
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepLinkPhone)
	h.e.Do(LinkPhone{Number: "4242"})
	s := h.settle(StepSignedIn)
	if s.Session.Phone != "4242" {
		t.Fatalf("phone %q", s.Session.Phone)
	}

	h.p.eventsFor("tok-1") <- api.Event{Type: api.EventPhoneTakenOver, Phone: "4242", By: "DURAND Paul"}
	s = h.wait("takeover notice", func(s Snapshot) bool { return s.Notice == NoticePhoneTakenOver })
	if s.Step != StepSignedIn || s.Holder != "DURAND Paul" || s.Session.Phone != "" {
		t.Fatalf("takeover: %+v", s)
	}
	h.e.Do(OpenChangePhone{})
	if s = h.settle(StepLinkPhone); s.LastPhone != "4242" {
		t.Fatalf("change phone: last %q", s.LastPhone)
	}
	h.e.Do(Cancel{})
	h.settle(StepSignedIn) // not a required action: back to the banner, still signed in

	h.p.eventsFor("tok-1") <- api.Event{Type: api.EventExpiring, Expires: h.clock.Now().Add(2 * time.Minute)}
	s = h.wait("expiring notice", func(s Snapshot) bool { return s.Notice == NoticeSessionExpiring })
	if s.TimeLeft != 2*time.Minute {
		t.Fatalf("time left after expiring: %v", s.TimeLeft)
	}

	h.p.eventsFor("tok-1") <- api.Event{Type: api.EventRevoked}
	s = h.settle(StepWaitingCard)
	if s.Session != nil || s.Notice != NoticeSessionRevoked || s.Card == nil {
		t.Fatalf("revoked: %+v", s)
	}
	if h.p.called("SignOut") != 0 {
		t.Fatal("a revoked session was signed out again")
	}
}

// TestBannerTimeLeft: one timer, refreshed each minute; at zero the portal is asked, and an
// expired session goes home.
func TestBannerTimeLeft(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	s := h.signInCard(readerA)
	if s.TimeLeft != 30*time.Minute {
		t.Fatalf("time left %v", s.TimeLeft)
	}
	h.clock.Advance(time.Minute)
	s = h.wait("one minute less", func(s Snapshot) bool { return s.TimeLeft == 29*time.Minute })
	if s.Step != StepSignedIn {
		t.Fatalf("step %v", s.Step)
	}
	h.clock.mu.Lock()
	pending := len(h.clock.timers)
	h.clock.mu.Unlock()
	if pending != 1 {
		t.Fatalf("%d timers armed, want 1", pending)
	}
	h.p.mu.Lock()
	h.p.sessErr["tok-1"] = errSessionExpired
	h.p.mu.Unlock()
	for range 29 {
		h.clock.Advance(time.Minute)
	}
	s = h.settle(StepWaitingCard)
	if s.Notice != NoticeSessionExpired || s.Session != nil {
		t.Fatalf("expired: %+v", s)
	}
}

// TestLockAndSignOutIntents: "Verrouiller" with the card in, then "Se déconnecter".
func TestLockAndSignOutIntents(t *testing.T) {
	h := newHarness(t, Config{})
	h.tok.put(readerA, "MARTIN Claire", "", 3)
	h.signInCard(readerA)
	h.e.Do(Lock{})
	if s := h.settle(StepLocked); s.Session == nil {
		t.Fatal("lock dropped the session")
	}
	h.e.Do(ChooseCard{})
	h.settle(StepPIN)
	h.e.Do(SubmitPIN{PIN: []byte("1234")})
	h.settle(StepSignedIn)
	h.e.Do(SignOut{})
	if s := h.settle(StepWaitingCard); s.Notice != NoticeSignedOut || s.Session != nil {
		t.Fatalf("signed out: %+v", s)
	}
	h.eventually("portal sign-out", func() bool { return h.p.wasSignedOut("tok-1") })
}

// TestSubscribeCoalesces: a reader that does not read only ever finds the latest snapshot.
func TestSubscribeCoalesces(t *testing.T) {
	h := newHarness(t, Config{})
	ch, cancel := h.e.Subscribe()
	defer cancel()
	h.e.Do(ChooseOTP{})
	h.settle(StepOTPIdentifiant)
	h.e.Do(Cancel{})
	h.settle(StepWaitingCard)
	h.e.Do(OpenSettings{})
	h.settle(StepSettings)
	if s := <-ch; s.Step != StepSettings {
		t.Fatalf("got %v, want the latest (settings)", s.Step)
	}
	select {
	case s := <-ch:
		t.Fatalf("stale snapshot queued: %v", s.Step)
	default:
	}
	cancel()
	if _, open := <-ch; open {
		t.Fatal("channel open after cancel")
	}
}

func TestRunNeedsPorts(t *testing.T) {
	e := New(Config{}, Deps{})
	if err := e.Run(context.Background()); !errors.Is(err, ErrMissingDependency) {
		t.Fatalf("Run without ports: %v", err)
	}
	if _, open := <-e.Notify(); open {
		if _, open = <-e.Notify(); open {
			t.Fatal("Notify still open after Run returned")
		}
	}
}

func TestMessageKey(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&PINError{TriesLeft: 2}, "pin_incorrect"},
		{fmt.Errorf("token: login: %w", ErrPINLocked), "pin_locked"},
		{ErrPINFormat, "pin_format"},
		{fmt.Errorf("x: %w", ErrCardRemoved), "card_removed"},
		{ErrCardUnknown, "card_unknown"},
		{&api.Error{Code: api.CodeCardUnknown}, "card_unknown"},
		{&api.Error{Code: api.CodeCertExpired}, "cert_expired"},
		{fmt.Errorf("client: %w", &api.Error{Code: api.CodeCredentials}), "credentials_invalid"},
		{&api.Error{Code: api.CodeAccountLocked}, "account_locked"},
		{&api.Error{Code: api.CodePhoneUnknown}, "phone_unknown"},
		{&api.Error{Code: api.CodePhoneTaken}, "phone_taken"},
		{&api.Error{Code: api.CodeOTPInvalid}, "otp_invalid"},
		{&api.Error{Code: api.CodeOTPExpired}, "otp_expired"},
		{&api.Error{Code: "brand_new_code"}, "error_unknown"},
		// The client wraps transport failures (internal/portal/client TestTransportErrClassifies
		// turns the net, net/url and x509 errors into these).
		{fmt.Errorf("portal POST /v1/signin/card: %w: %w", api.ErrPortalUnreachable, &url.Error{Op: "Post", URL: "https://portal", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}), "portal_unreachable"},
		{fmt.Errorf("client: %w", api.ErrPortalUnreachable), "portal_unreachable"},
		{fmt.Errorf("portal POST /v1/signin/card: %w: %w", api.ErrPortalCertificate, &url.Error{Op: "Post", URL: "https://portal", Err: x509.UnknownAuthorityError{}}), "portal_certificate"},
		{fmt.Errorf("portal GET /v1/session: %w: %w", api.ErrPortalTimeout, context.DeadlineExceeded), "timeout"},
		{context.DeadlineExceeded, "timeout"},
		{ErrNotConfigured, "not_configured"},
		{errors.New("something else"), "error_unknown"},
	}
	for _, c := range cases {
		if got := MessageKey(c.err); got != c.want {
			t.Errorf("MessageKey(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	keys := map[string]bool{}
	for _, k := range MessageKeys() {
		if keys[k] {
			t.Errorf("key %q listed twice", k)
		}
		keys[k] = true
	}
	for _, c := range cases {
		if k := MessageKey(c.err); k != "" && !keys[k] {
			t.Errorf("MessageKeys lacks %q", k)
		}
	}
}
