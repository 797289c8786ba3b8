package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func TestProfilePreselection(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepChooseProfile, Profiles: demoProfiles, LastProfileID: "p-arm-92"}
	u, f := newTestUI(t, s)
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.ChooseProfile); !ok || in.ID != "p-arm-92" {
		t.Fatalf("Enter sent %#v, want the last profile p-arm-92", f.last())
	}
	press(u, fyne.KeyDown)
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.ChooseProfile); !ok || in.ID != "p-sup" {
		t.Fatalf("Down+Enter sent %#v, want p-sup", f.last())
	}
	// Without a last choice the first profile is preselected.
	s.LastProfileID = ""
	u2, f2 := newTestUI(t, s)
	press(u2, fyne.KeyReturn)
	if in, ok := f2.last().(agent.ChooseProfile); !ok || in.ID != "p-arm" {
		t.Fatalf("Enter sent %#v, want the first profile", f2.last())
	}
}

func TestPhoneTakeover(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "4021"})
	phone := focused(t, u)
	if phone.Text != "4021" {
		t.Fatalf("phone field = %q, want the remembered 4021", phone.Text)
	}
	test.Type(phone, "4000") // the remembered number is selected: typing replaces it
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.LinkPhone); !ok || in.Number != "4000" || in.Takeover {
		t.Fatalf("Enter sent %#v, want LinkPhone{4000}", f.last())
	}
	taken := &api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "Marie Martin"}}
	u.apply(agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "4021", Err: taken})
	requireText(t, u, "Ce téléphone est déjà lié à la session de Marie Martin. Le reprendre ?")
	press(u, fyne.KeyEscape) // Esc dismisses the question: nothing sent
	if f.count() != 1 {
		t.Fatalf("Esc on the takeover question sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "4021", Err: &api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "Marie Martin"}}})
	press(u, fyne.KeyReturn) // Enter confirms
	if in, ok := f.last().(agent.LinkPhone); !ok || in.Number != "4000" || !in.Takeover {
		t.Fatalf("Enter on the question sent %#v, want LinkPhone{4000, Takeover}", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepLinkPhone, LastPhone: "4021", Err: &api.Error{Code: api.CodePhoneTaken}})
	requireText(t, u, "un autre utilisateur")
	test.Tap(button(t, u, "Reprendre"))
	if in, ok := f.last().(agent.LinkPhone); !ok || in.Number != "4000" || !in.Takeover {
		t.Fatalf("Reprendre sent %#v, want LinkPhone{4000, Takeover}", f.last())
	}
}

// ticks counts the checklist's ticked rules.
func ticks(c *checklist) (ok int) {
	for _, r := range c.rules {
		if r.OK {
			ok++
		}
	}
	return ok
}

func TestChecklistTicksAsYouType(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepSetPassword, Policy: demoPolicy})
	pw := focused(t, u)
	list := findChecklist(t, u)
	if ticks(list) != 0 || len(list.rules) != 6 {
		t.Fatalf("empty password: %d ticks of %d rules, want 0 of 6", ticks(list), len(list.rules))
	}
	test.Type(pw, "abc")
	if ticks(list) != 1 {
		t.Fatalf("after abc: %d ticks, want 1 (lower)", ticks(list))
	}
	test.Type(pw, "DEF12#xyzw")
	if ticks(list) != 5 {
		t.Fatalf("after a full password: %d ticks, want 5 (all but match): %+v", ticks(list), list.rules)
	}
	press(u, fyne.KeyReturn) // moves to confirm
	confirm := focused(t, u)
	if confirm == pw {
		t.Fatal("Enter in the new password did not move to the confirmation")
	}
	press(u, fyne.KeyReturn)
	if f.count() != 0 {
		t.Fatal("sent before the confirmation matched")
	}
	test.Type(confirm, "abcDEF12#xyzw")
	if !list.ok() {
		t.Fatalf("rules not all ticked: %+v", list.rules)
	}
	press(u, fyne.KeyReturn)
	in, ok := f.last().(agent.SetPassword)
	if !ok || string(in.New) != "abcDEF12#xyzw" || string(in.Confirm) != "abcDEF12#xyzw" {
		t.Fatalf("sent %#v, want SetPassword", f.last())
	}
}

func findChecklist(t *testing.T, u *UI) *checklist {
	t.Helper()
	if u.page == nil || u.page.checklist == nil {
		t.Fatal("page has no checklist")
	}
	return u.page.checklist
}

func TestChangePassword(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepChangePassword, Policy: demoPolicy})
	test.Type(focused(t, u), "Ancien-mot-2024")
	press(u, fyne.KeyReturn)
	test.Type(focused(t, u), "Nouveau#Mot2pas")
	press(u, fyne.KeyReturn)
	test.Type(focused(t, u), "Nouveau#Mot2pas")
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if c, ok := o.(*keyCheck); ok && strings.Contains(c.Text, "Se déconnecter des autres appareils") {
			test.Tap(c)
		}
	}
	press(u, fyne.KeyReturn)
	in, ok := f.last().(agent.ChangePassword)
	if !ok || string(in.Old) != "Ancien-mot-2024" || string(in.New) != "Nouveau#Mot2pas" || !in.SignOutOthers {
		t.Fatalf("sent %#v", f.last())
	}
}

func TestBannerAndNotices(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepSignedIn, Session: demoSession("4021"), TimeLeft: 7*time.Hour + 42*time.Minute}
	u, f := newTestUI(t, s)
	if h := u.win.Canvas().Size().Height; h < 40 || h > 64 {
		t.Fatalf("banner height %v, want a strip of 48-64 px", h)
	}
	for _, want := range []string{"Camille Durand", "ARM — SAMU 75 — Necker", "4021", "Session : 7 h 42"} {
		requireText(t, u, want)
	}
	s.Notice, s.Holder = agent.NoticePhoneTakenOver, "Marie Martin"
	u.apply(s)
	requireText(t, u, "Téléphone repris par Marie Martin")
	s.Notice, s.TimeLeft = agent.NoticeSessionExpiring, 4*time.Minute
	u.apply(s)
	requireText(t, u, "Votre session expire dans 4 min")
	requireText(t, u, "Session : 4 min")

	test.Tap(button(t, u, "Verrouiller"))
	if _, ok := f.last().(agent.Lock); !ok {
		t.Fatalf("Verrouiller sent %#v", f.last())
	}
	test.Tap(button(t, u, "Déconnexion"))
	if _, ok := f.last().(agent.SignOut); !ok {
		t.Fatalf("Déconnexion sent %#v", f.last())
	}
	m := bannerMenu(u)
	if m.Items[2].Label != "Modifier mes canaux OTP" {
		t.Fatalf("3rd menu item is %q, want Modifier mes canaux OTP (seed 004)", m.Items[2].Label)
	}
	m.Items[2].Action()
	if _, ok := f.last().(agent.OpenChannels); !ok {
		t.Fatalf("menu item 3 sent %#v", f.last())
	}
	m.Items[1].Action()
	if _, ok := f.last().(agent.OpenChangePwd); !ok || m.Items[1].Label != "Modifier mon mot de passe" {
		t.Fatalf("menu item 2 %q sent %#v", m.Items[1].Label, f.last())
	}
}

func TestOTPPath(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepOTPIdentifiant})
	test.Type(focused(t, u), "camille.durand")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitIdentifiant); !ok || in.Identifiant != "camille.durand" {
		t.Fatalf("sent %#v", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepOTPPassword, Identifiant: "camille.durand"})
	pw := focused(t, u)
	test.Type(pw, "secret")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitPassword); !ok || string(in.Password) != "secret" || !pw.Password {
		t.Fatalf("sent %#v (masked %v)", f.last(), pw.Password)
	}
	u.apply(agent.Snapshot{Step: agent.StepOTPChannel, OTPChannels: demoOTP})
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SendCode); !ok || in.Kind != api.ChannelEmail {
		t.Fatalf("Enter sent %#v, want the e-mail channel by default", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepOTPCode, OTPChannels: demoOTP, OTPSentTo: "c•••@samu75.example"})
	requireText(t, u, "Code envoyé à c•••@samu75.example")
	code := focused(t, u)
	test.Type(code, "12345678")
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if c, ok := o.(*keyCheck); ok && c.Text == "Se souvenir de ce poste pendant 24 h" {
			test.Tap(c)
		}
	}
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitCode); !ok || in.Code != "123456" || !in.Remember {
		t.Fatalf("sent %#v, want SubmitCode{123456, Remember}", f.last())
	}
	test.Tap(button(t, u, "Renvoyer le code"))
	if in, ok := f.last().(agent.SendCode); !ok || in.Kind != api.ChannelEmail {
		t.Fatalf("Renvoyer sent %#v", f.last())
	}
}

func TestOTPChannels(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepOTPChannels, Channels: demoChannels}
	u, f := newTestUI(t, s)
	requireText(t, u, "Actuel : c•••@samu75.example")
	value := focused(t, u)
	test.Type(value, "0612345678")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.TestChannel); !ok || in.Kind != api.ChannelSMS || in.Value != "0612345678" {
		t.Fatalf("sent %#v", f.last())
	}
	s.PendingAction = api.ChannelSMS
	u.apply(s)
	code := focused(t, u)
	if code == value {
		t.Fatal("focus did not move to the code field")
	}
	test.Type(code, "654321")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.ValidateChannel); !ok || in.Kind != api.ChannelSMS || in.Code != "654321" {
		t.Fatalf("sent %#v", f.last())
	}
	test.Tap(button(t, u, "Supprimer"))
	if in, ok := f.last().(agent.RemoveChannel); !ok || in.Kind != api.ChannelEmail {
		t.Fatalf("Supprimer sent %#v", f.last())
	}
	test.Tap(button(t, u, "Terminer"))
	if _, ok := f.last().(agent.ChannelsDone); !ok {
		t.Fatalf("Terminer sent %#v", f.last())
	}
}

func TestWatchAppliesThroughFyneDo(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepWaitingCard})
	done := make(chan struct{})
	go func() { u.Watch(); close(done) }()
	f.ch <- agent.Snapshot{Step: agent.StepCardUnknown}
	close(f.ch)
	<-done
	var step agent.Step
	fyne.DoAndWait(func() { step = u.snap.Step })
	if step != agent.StepCardUnknown {
		t.Fatalf("step %v after Watch, want card_unknown", step)
	}
	requireText(t, u, "Cette carte n'est pas une carte CPx")
}

// sliceErr is an error type that == cannot compare.
type sliceErr []string

func (s sliceErr) Error() string { return "slice" }

func TestSameErrNeverPanics(t *testing.T) {
	a := &api.Error{Code: api.CodePhoneTaken}
	if !sameErr(a, a) || sameErr(a, &api.Error{Code: api.CodePhoneTaken}) || sameErr(a, nil) || !sameErr(nil, nil) {
		t.Fatal("sameErr is wrong on pointers and nil")
	}
	if sameErr(sliceErr{"x"}, sliceErr{"x"}) {
		t.Fatal("uncomparable errors must count as different")
	}
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepLinkPhone, Err: sliceErr{"a"}})
	u.apply(agent.Snapshot{Step: agent.StepLinkPhone, Err: sliceErr{"b"}})
	requireText(t, u, "Une erreur inattendue est survenue")
}

// TestPINWhileCardIsRead: the PIN screen takes digits while the card is read; the holder
// and the last-try warning fill in when the engine has read the card, the typed digits kept.
func TestPINWhileCardIsRead(t *testing.T) {
	card := &agent.CardView{Reader: "Virtual PCD 00 00", Generation: "CPS3"}
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepPIN, Reading: true, TriesLeft: -1, Card: card})
	requireText(t, u, "CPS3 — Virtual PCD 00 00")
	pin := focused(t, u)
	test.Type(pin, "12")
	read := *card
	read.HolderName = "Camille MARTIN"
	u.apply(agent.Snapshot{Step: agent.StepPIN, TriesLeft: 1, Card: &read})
	requireText(t, u, "Camille MARTIN")
	requireText(t, u, T("pin.last_try"))
	if focused(t, u) != pin || pin.Text != "12" {
		t.Fatalf("the reading's end lost the PIN field or its digits: %q", pin.Text)
	}
	test.Type(pin, "34")
	press(u, fyne.KeyReturn)
	if in, ok := f.last().(agent.SubmitPIN); !ok || string(in.PIN) != "1234" {
		t.Fatalf("Enter sent %#v, want the PIN", f.last())
	}
}

// TestCardUnreadableRetry: a card that could not be read says so (not « Veuillez patienter »)
// and Enter reads it again.
func TestCardUnreadableRetry(t *testing.T) {
	u, f := newTestUI(t, agent.Snapshot{Step: agent.StepCardPresent, Card: demoCard, TriesLeft: -1, Err: agent.ErrCardNotResponding})
	requireText(t, u, T("wait.card_failed_title"))
	requireText(t, u, "La carte ne répond pas")
	press(u, fyne.KeyReturn)
	if _, ok := f.last().(agent.ChooseCard); !ok {
		t.Fatalf("Enter sent %#v, want ChooseCard (read the card again)", f.last())
	}
	u.apply(agent.Snapshot{Step: agent.StepCardPresent, Card: demoCard, TriesLeft: -1, Busy: true, BusyLabel: agent.BusyCardReading})
	requireText(t, u, T("wait.card_present"))
}
