package ui

import (
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Demo data: a fictitious ARM of a fictitious SAMU, for the demo engine and screenshots.
var (
	demoCard     = &agent.CardView{Reader: "Virtual PCD 35971 00 00", Family: "CPS", Generation: "CPS3", HolderName: "Camille Durand", Serial: "8025000001"}
	demoProfiles = []api.Profile{
		{ID: "p-arm", Label: "ARM", Entity: api.Entity{ID: "samu-75", Name: "SAMU 75 — Necker"}},
		{ID: "p-arm-92", Label: "ARM", Entity: api.Entity{ID: "samu-92", Name: "SAMU 92 — Garches"}},
		{ID: "p-sup", Label: "Superviseur", Entity: api.Entity{ID: "samu-75", Name: "SAMU 75 — Necker"}},
	}
	demoPolicy   = &api.PasswordPolicy{Name: "sante", MinLength: 12, RequireLower: true, RequireUpper: true, RequireDigit: true, RequireSpecial: true}
	demoChannels = []api.Channel{{Kind: api.ChannelEmail, Masked: "c•••@samu75.example", Active: true}}
	demoReport   = "pcscd            OK  service joignable\nlecteurs         OK  Virtual PCD 35971 00 00\ncarte            OK  CPS3 8025000001\nmodule PKCS#11   OK  opensc-pkcs11.so\nportail          ÉCHEC  https://portail.si-samu.example : délai dépassé"
	demoStation  = &Workstation{Name: "samu75-arm-07", PortalURL: "https://portail.si-samu.example", RemovalPolicy: agent.RemovalLock}
	demoOTP      = []api.Channel{{Kind: api.ChannelSMS, Masked: "06 •• •• •• 78", Active: true}, {Kind: api.ChannelEmail, Masked: "c•••@samu75.example", Active: true}}
)

func demoSession(phone string) *api.Session {
	p := demoProfiles[0]
	return &api.Session{ID: "demo", Method: api.MethodCard, Phone: phone, Profile: &p,
		User: api.User{Identifiant: "camille.durand", GivenName: "Camille", FamilyName: "Durand"}}
}

// DemoScreen is one named screen of the demo (screenshots, `cpx-agent gui --demo --demo-step`).
type DemoScreen struct {
	Name string
	Snap agent.Snapshot
}

// DemoScreens returns a snapshot of every screen, in the order of seed 004's guide.
func DemoScreens() []DemoScreen {
	s := func(step agent.Step) agent.Snapshot { return agent.Snapshot{Step: step, TriesLeft: -1, Card: demoCard} }
	home := s(agent.StepWaitingCard)
	home.Card = nil // the home screen as first seen: no card yet
	pin2, pin1 := s(agent.StepPIN), s(agent.StepPIN)
	pin2.TriesLeft, pin2.Err = 2, &agent.PINError{TriesLeft: 2}
	pin1.TriesLeft, pin1.Err = 1, &agent.PINError{TriesLeft: 1}
	present, signing := s(agent.StepCardPresent), s(agent.StepSigningIn)
	present.Busy, present.BusyLabel = true, agent.BusyCardReading
	unreadable := s(agent.StepCardPresent) // the card does not answer: « Carte illisible »
	unreadable.Err = agent.ErrCardNotResponding
	signing.Busy, signing.BusyLabel = true, agent.BusySigningIn
	failed := s(agent.StepSigningIn) // the portal did not answer: the engine stays, Err set, not busy
	failed.Err = api.ErrPortalUnreachable
	profile := s(agent.StepChooseProfile)
	profile.Profiles, profile.LastProfileID = demoProfiles, "p-arm-92"
	phone := s(agent.StepLinkPhone)
	phone.LastPhone = "4021"
	taken := phone
	taken.Err = &api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "Marie Martin"}}
	taken.Holder = "Marie Martin"
	banner := s(agent.StepSignedIn)
	banner.Session, banner.TimeLeft = demoSession("4021"), 7*time.Hour+42*time.Minute
	notice := banner // as the engine leaves it after a takeover: the phone is no longer linked
	notice.Session = demoSession("")
	notice.Notice, notice.Holder = agent.NoticePhoneTakenOver, "Marie Martin"
	setpwd, chpwd := s(agent.StepSetPassword), s(agent.StepChangePassword)
	setpwd.Policy, chpwd.Policy = demoPolicy, demoPolicy
	channels := s(agent.StepOTPChannels)
	channels.Channels, channels.PendingAction = demoChannels, api.ChannelSMS
	id, pw := s(agent.StepOTPIdentifiant), s(agent.StepOTPPassword)
	pw.Identifiant = "camille.durand"
	choice, code := s(agent.StepOTPChannel), s(agent.StepOTPCode)
	choice.OTPChannels, code.OTPChannels, code.OTPSentTo = demoOTP, demoOTP, "c•••@samu75.example"
	code.Err = &api.Error{Code: api.CodeOTPInvalid}
	secret := s(agent.StepSecretQuestion)
	secret.SecretQuestions = api.SecretQuestions
	diag := s(agent.StepSettings)
	diag.Diagnostic = demoReport
	return append([]DemoScreen{
		{"home", home}, {"card_present", present}, {"card_unreadable", unreadable}, {"card_unknown", s(agent.StepCardUnknown)},
		{"pin", s(agent.StepPIN)}, {"pin_2_tries", pin2}, {"pin_last_try", pin1}, {"card_blocked", s(agent.StepCardBlocked)},
		{agent.BusySigningIn, signing}, {"signing_in_failed", failed}, {"profile", profile}, {"phone", phone}, {"phone_taken", taken},
		{"set_password", setpwd}, {"otp_channels", channels}, {"banner", banner}, {"banner_takeover", notice},
		{"locked", s(agent.StepLocked)}, {"change_password", chpwd},
		{"otp_identifiant", id}, {"otp_password", pw}, {"otp_channel", choice}, {"otp_code", code},
		{"ecps", s(agent.StepECPS)}, {"settings", s(agent.StepSettings)},
		{"settings_diagnostic", diag}, {"secret_question", secret},
	}, append(append(recoveryDemoScreens(), cardAdminDemoScreens()...), pscDemoScreens()...)...)
}

// pscDemoScreens are the Pro Santé Connect screens: national id, push with its binding code
// and countdown, browser, refusals, and the OTP fallback when PSC does not answer.
func pscDemoScreens() []DemoScreen {
	s := func(step agent.Step, v agent.PSCView, err error) agent.Snapshot {
		return agent.Snapshot{Step: step, TriesLeft: -1, PSC: &v, Err: err}
	}
	id := agent.PSCView{NationalID: "899700427885"}
	push := agent.PSCView{NationalID: "899700427885", BindingCode: "42", ExpiresAt: clockNow().Add(107 * time.Second)}
	waiting := s(agent.StepPSCPush, push, nil)
	waiting.Busy, waiting.BusyLabel = true, agent.BusyPSCWaiting
	browser := s(agent.StepPSCBrowser, id, nil)
	browser.Busy, browser.BusyLabel = true, agent.BusyPSCBrowser
	fallback := agent.Snapshot{Step: agent.StepOTPIdentifiant, TriesLeft: -1, Notice: agent.NoticePSCUnavailable}
	screens := []DemoScreen{
		{"psc", s(agent.StepPSC, id, nil)},
		{"psc_malformed", s(agent.StepPSC, agent.PSCView{NationalID: "8997 0042"}, agent.ErrNationalIDFormat)},
		{"psc_push", waiting}, {"psc_browser", browser},
		{"psc_unknown_id", s(agent.StepPSC, id, agent.ErrPSCUnknownID)},
		{"psc_unavailable_otp", fallback},
	}
	for _, code := range []string{api.CodePSCDenied, api.CodePSCExpired, api.CodePSCACRTooLow, api.CodePSCCancelled} {
		screens = append(screens, DemoScreen{code, s(agent.StepPSC, id, &api.Error{Code: code})})
	}
	return screens
}

// cardAdminDemoScreens are the card self-service screens.
func cardAdminDemoScreens() []DemoScreen {
	pin := agent.Snapshot{Step: agent.StepCardPINChange, TriesLeft: -1, Card: demoCard}
	pin.Err = &agent.PINError{TriesLeft: 2}
	unblock := agent.Snapshot{Step: agent.StepCardUnblock, TriesLeft: 0, Card: demoCard}
	unblock.Err = &agent.PUKError{TriesLeft: 9}
	return []DemoScreen{{"card_pin_change", pin}, {"card_unblock", unblock}}
}

// recoveryDemoScreens are the screens of « Identifiant oublié ? » and « Mot de passe oublié ? ».
func recoveryDemoScreens() []DemoScreen {
	s := func(step agent.Step, v agent.RecoveryView) agent.Snapshot {
		return agent.Snapshot{Step: step, TriesLeft: -1, Recovery: &v}
	}
	const sum = "Veuillez résoudre l'opération suivante : 9 + 0 ="
	id := agent.RecoveryView{Kind: api.RecoverIdentifiant, Captcha: sum}
	pw := agent.RecoveryView{Kind: api.RecoverPassword, Name: "camille.durand", Captcha: sum, LinkMinutes: 15}
	q := pw
	q.Question = api.SecretQuestions[2]
	return []DemoScreen{
		{"recover_identifiant", s(agent.StepRecoverName, id)}, {"recover_password", s(agent.StepRecoverName, pw)},
		{"recover_question", s(agent.StepRecoverQuestion, q)},
		{"recover_identifiant_done", s(agent.StepRecoverDone, id)}, {"recover_password_done", s(agent.StepRecoverDone, pw)},
	}
}
