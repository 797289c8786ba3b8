package agent

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"slices"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func pscHarness(t *testing.T) (*harness, *fakePSC, *fakeBrowser) {
	psc, b := newFakePSC(), &fakeBrowser{}
	h := newHarness(t, Config{}, func(d *Deps) { d.PSC, d.Browser = psc, b })
	return h, psc, b
}

func TestNationalIDShapes(t *testing.T) {
	for _, ok := range []string{"899700427885", "500000001815646/CPAT00045", "ANS20231122132732", "00B7010446"} {
		if !ValidNationalID(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "12", "8997 00427885", "a/b/c", "/CPAT1", "8997004278/", "rpps;drop", "899700427885\n"} {
		if ValidNationalID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestPSCPushApproved: national id → binding code and expiry → the phone approves → the same
// required actions as a card sign-in; the national id is remembered and pre-filled next time.
func TestPSCPushApproved(t *testing.T) {
	h, psc, _ := pscHarness(t)
	h.e.Do(ChoosePSC{})
	if s := h.settle(StepPSC); s.PSC == nil || s.PSC.NationalID != "" || s.Err != nil {
		t.Fatalf("national id screen: %+v", s)
	}
	h.e.Do(StartPSCPush{NationalID: " 500000001815646/CPAT00045 "})
	s := h.wait("binding code", func(s Snapshot) bool { return s.Step == StepPSCPush && s.Busy })
	if s.PSC.BindingCode != "42" || s.PSC.ExpiresAt.IsZero() || s.BusyLabel != BusyPSCWaiting {
		t.Fatalf("push screen: %+v %+v", s, s.PSC)
	}
	psc.answer <- pscAnswer{si: h.pscSignIn()}
	h.settle(StepLinkPhone)
	h.e.Do(LinkPhone{Number: "4321"})
	if s := h.settle(StepSignedIn); s.Session.Method != api.MethodPSC {
		t.Fatalf("banner method %q", s.Session.Method)
	}
	if got := h.prefs.Get(PrefLastPSCID); got != "500000001815646/CPAT00045" {
		t.Fatalf("remembered %q", got)
	}
	if !slices.Equal(psc.started, []string{"500000001815646/CPAT00045"}) {
		t.Fatalf("started %v", psc.started)
	}
	h.e.Do(SignOut{})
	h.settle(StepWaitingCard)
	h.e.Do(ChoosePSC{})
	if s := h.settle(StepPSC); s.PSC.NationalID != "500000001815646/CPAT00045" {
		t.Fatalf("not pre-filled: %+v", s.PSC)
	}
}

// TestPSCCancelDuringPush: Esc while the phone has not answered cancels on the portal and
// goes back to the national id, kept.
func TestPSCCancelDuringPush(t *testing.T) {
	h, psc, _ := pscHarness(t)
	h.e.Do(ChoosePSC{})
	h.settle(StepPSC)
	h.e.Do(StartPSCPush{NationalID: "899700427885"})
	h.wait("push", func(s Snapshot) bool { return s.Step == StepPSCPush && s.Busy })
	h.e.Do(Cancel{})
	if s := h.settle(StepPSC); s.PSC.NationalID != "899700427885" || s.PSC.BindingCode != "" {
		t.Fatalf("after cancel: %+v", s.PSC)
	}
	h.eventually("cancel on the portal", func() bool { return slices.Equal(psc.cancels(), []string{"req-1"}) })
	psc.answer <- pscAnswer{si: h.pscSignIn()} // a late approval is never used
	h.e.Do(Cancel{})
	h.settle(StepWaitingCard)
}

// TestPSCRefusals: each refusal comes back to the national id screen with its message key;
// PSC unreachable goes to the OTP path with a notice saying why.
func TestPSCRefusals(t *testing.T) {
	cases := []struct {
		err error
		key string
	}{
		{&api.Error{Code: api.CodePSCDenied}, api.CodePSCDenied},
		{&api.Error{Code: api.CodePSCExpired}, api.CodePSCExpired},
		{&api.Error{Code: api.CodePSCACRTooLow}, api.CodePSCACRTooLow},
		{&api.Error{Code: api.CodePSCCancelled}, api.CodePSCCancelled},
		{&api.Error{Code: api.CodeCardUnknown}, KeyPSCUnknownID},
	}
	for _, c := range cases {
		h, psc, _ := pscHarness(t)
		h.e.Do(ChoosePSC{})
		h.settle(StepPSC)
		h.e.Do(StartPSCPush{NationalID: "ANS20231122132732"})
		h.wait("push", func(s Snapshot) bool { return s.Step == StepPSCPush && s.Busy })
		psc.answer <- pscAnswer{err: c.err}
		s := h.settle(StepPSC)
		if MessageKey(s.Err) != c.key || s.PSC.NationalID != "ANS20231122132732" {
			t.Errorf("%v: key %q, view %+v", c.err, MessageKey(s.Err), s.PSC)
		}
	}
	h, psc, _ := pscHarness(t)
	psc.startErr = &api.Error{Code: api.CodePSCUnavailable}
	h.e.Do(ChoosePSC{})
	h.settle(StepPSC)
	h.e.Do(StartPSCPush{NationalID: "899700427885"})
	if s := h.settle(StepOTPIdentifiant); s.Notice != NoticePSCUnavailable || s.Err != nil {
		t.Fatalf("fallback: %+v", s)
	}
}

func TestPSCMalformedID(t *testing.T) {
	h, psc, _ := pscHarness(t)
	h.e.Do(ChoosePSC{})
	h.settle(StepPSC)
	h.e.Do(StartPSCPush{NationalID: "8997 0042"})
	s := h.settle(StepPSC)
	if !errors.Is(s.Err, ErrNationalIDFormat) || MessageKey(s.Err) != KeyNationalIDFormat || s.PSC.NationalID != "8997 0042" {
		t.Fatalf("%+v", s)
	}
	if len(psc.started) != 0 {
		t.Fatal("a malformed id was sent")
	}
}

// TestPSCBrowser: the browser flow opens the browser port and signs in; Esc goes back.
func TestPSCBrowser(t *testing.T) {
	h, psc, b := pscHarness(t)
	psc.browser = pscAnswer{si: h.pscSignIn()}
	h.e.Do(ChoosePSC{})
	h.settle(StepPSC)
	h.e.Do(StartPSCBrowser{})
	h.settle(StepLinkPhone)
	if len(b.opened) != 1 {
		t.Fatalf("browser opened %v", b.opened)
	}
	h2, psc2, _ := pscHarness(t)
	psc2.browser = pscAnswer{err: &api.Error{Code: api.CodePSCStateInvalid}}
	h2.e.Do(ChoosePSC{})
	h2.settle(StepPSC)
	h2.e.Do(StartPSCBrowser{})
	if s := h2.settle(StepPSC); MessageKey(s.Err) != api.CodePSCStateInvalid {
		t.Fatalf("%v", s.Err)
	}
}

// TestBlockedCardToPSC: a blocked card cannot sign in; « Pro Santé Connect » offers the
// national id read from its certificate (no PIN), ahead of the last PSC sign-in's.
func TestBlockedCardToPSC(t *testing.T) {
	h, psc, _ := pscHarness(t)
	h.prefs.Set(PrefLastPSCID, "ANS20231122132732")
	c := h.tok.put(readerA, "MARTIN Claire", "", 0)
	c.cert = &x509.Certificate{Subject: pkix.Name{CommonName: "899700427885"}}
	h.mon.insert(readerA, true)
	h.settle(StepCardBlocked)
	h.e.Do(ChoosePSC{})
	if s := h.settle(StepPSC); s.PSC == nil || s.PSC.NationalID != "899700427885" {
		t.Fatalf("not pre-filled from the card: %+v", s.PSC)
	}
	h.e.Do(StartPSCPush{NationalID: "899700427885"})
	h.wait("push", func(s Snapshot) bool { return s.Step == StepPSCPush && s.Busy })
	psc.answer <- pscAnswer{si: h.pscSignIn()}
	h.settle(StepLinkPhone)
	if h.tok.loginCount() != 0 {
		t.Fatal("a PIN was tried")
	}
}

// TestPSCUnreachableFromCard: a blocked card → PSC → PSC unreachable → the OTP path with why.
func TestPSCUnreachableFromCard(t *testing.T) {
	h, psc, _ := pscHarness(t)
	psc.startErr = &api.Error{Code: api.CodePSCUnavailable}
	h.tok.put(readerA, "MARTIN Claire", "", 0)
	h.mon.insert(readerA, true)
	h.settle(StepCardBlocked)
	h.e.Do(ChoosePSC{})
	h.settle(StepPSC)
	h.e.Do(StartPSCPush{NationalID: "899700427885"})
	if s := h.settle(StepOTPIdentifiant); s.Notice != NoticePSCUnavailable {
		t.Fatalf("%+v", s)
	}
}
