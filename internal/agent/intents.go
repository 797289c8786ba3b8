package agent

import (
	"fmt"
	"sort"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// onIntent applies what the user asked for when the current step allows it; anything else is
// ignored (a double click, a screen already gone). Secrets of ignored intents are zeroed.
func (e *Engine) onIntent(in Intent) {
	if !e.allowed(in) {
		e.ignore(in)
		return
	}
	if e.onMethod(in) {
		return
	}
	switch v := in.(type) {
	case ChooseProfile:
		e.chooseProfile(v.ID)
	case LinkPhone:
		e.linkPhone(v)
	case SetPassword:
		e.setPassword(nil, v.New, v.Confirm, false)
	case ChangePassword:
		e.setPassword(v.Old, v.New, v.Confirm, v.SignOutOthers)
	case TestChannel:
		e.testChannel(v)
	case ValidateChannel:
		e.validateChannel(v)
	case RemoveChannel:
		e.removeChannel(v.Kind)
	case ChannelsDone:
		e.channelsDone()
	case SubmitIdentifiant:
		e.submitIdentifiant(v.Identifiant)
	case SubmitPassword:
		e.submitPassword(v.Password)
	case SendCode:
		e.sendCode(v.Kind)
	case SubmitCode:
		e.submitCode(v)
	case OpenChannels:
		e.openChannels(false)
	case OpenChangePhone:
		e.openPhone(false)
	case OpenChangePwd:
		e.openPolicy(StepChangePassword, false)
	case OpenSettings:
		e.openSettings()
	case RunDiagnostic:
		e.runDiagnostic()
	case Lock:
		e.lockNow()
	case SignOut:
		e.signOutNow(NoticeSignedOut)
	default:
		e.onSelfService(in)
	}
}

// onMethod applies the intents that choose and run a sign-in method (card, OTP, Pro Santé
// Connect, e-CPS) and Cancel; it reports whether in was one of them.
func (e *Engine) onMethod(in Intent) bool {
	switch v := in.(type) {
	case ChooseCard:
		e.chooseCard()
	case ChooseOTP:
		e.chooseOTP()
	case ChoosePSC:
		e.choosePSC()
	case ChooseECPS:
		e.chooseECPS()
	case StartPSCPush:
		e.startPSCPush(v.NationalID)
	case StartPSCBrowser:
		e.startPSCBrowser(v.NationalID)
	case SubmitPIN:
		e.submitPIN(v.PIN)
	case Cancel:
		e.cancel()
	default:
		return false
	}
	return true
}

// onSelfService applies the account recovery and card self-service intents.
func (e *Engine) onSelfService(in Intent) {
	switch v := in.(type) {
	case SetSecretQuestion:
		e.setSecretQuestion(v)
	case ForgotIdentifiant:
		e.forgot(api.RecoverIdentifiant)
	case ForgotPassword:
		e.forgot(api.RecoverPassword)
	case SubmitRecoveryName:
		e.submitRecoveryName(v)
	case SubmitRecoveryAnswer:
		e.submitRecoveryAnswer(v.Answer)
	case OpenCardPINChange:
		e.openCardAdmin(StepCardPINChange)
	case OpenCardUnblock:
		e.openCardAdmin(StepCardUnblock)
	case SubmitCardPINChange:
		e.submitCardAdmin(v.Old, v.New, v.Confirm, false)
	case SubmitCardUnblock:
		e.submitCardAdmin(v.PUK, v.New, v.Confirm, true)
	}
}

// allowed says whether in makes sense at the current step. While a call is in flight only
// Cancel, Lock and SignOut are taken.
func (e *Engine) allowed(in Intent) bool {
	r := &e.run
	step, signed := r.s.Step, r.token != ""
	switch in.(type) {
	case Cancel:
		return true
	case Lock:
		return signed && step != StepLocked
	case SignOut:
		return signed
	}
	if r.s.Busy {
		return false
	}
	switch in.(type) {
	case ChooseCard:
		return !signed || step == StepLocked
	case ChooseOTP, ChoosePSC, ChooseECPS:
		return !signed
	case SubmitPIN:
		return step == StepPIN
	case StartPSCPush, StartPSCBrowser:
		return step == StepPSC && e.d.PSC != nil
	case ChooseProfile:
		return step == StepChooseProfile
	case LinkPhone:
		return step == StepLinkPhone
	case SetPassword:
		return step == StepSetPassword
	case ChangePassword:
		return step == StepChangePassword
	case TestChannel, ValidateChannel, RemoveChannel, ChannelsDone:
		return step == StepOTPChannels
	case SubmitIdentifiant:
		return step == StepOTPIdentifiant
	case SubmitPassword:
		return step == StepOTPPassword
	case SendCode:
		return step == StepOTPChannel || step == StepOTPCode
	case SubmitCode:
		return step == StepOTPCode
	case OpenChannels, OpenChangePhone, OpenChangePwd:
		return step == StepSignedIn
	case OpenSettings:
		return step == StepWaitingCard || step == StepSignedIn || step == StepCardUnknown
	case RunDiagnostic:
		return step == StepSettings
	case SetSecretQuestion:
		return step == StepSecretQuestion
	}
	return e.allowedSelfService(in, step, signed)
}

// allowedSelfService is allowed for the recovery and card self-service intents.
func (e *Engine) allowedSelfService(in Intent, step Step, signed bool) bool {
	r := &e.run
	switch in.(type) {
	case ForgotIdentifiant, ForgotPassword:
		return !signed && (step == StepOTPIdentifiant || step == StepOTPPassword || step == StepRecoverDone)
	case SubmitRecoveryName:
		return step == StepRecoverName
	case SubmitRecoveryAnswer:
		return step == StepRecoverQuestion
	case OpenCardPINChange:
		return r.reader != "" && (step == StepPIN || (step == StepSignedIn && r.method == api.MethodCard))
	case OpenCardUnblock:
		return step == StepCardBlocked
	case SubmitCardPINChange:
		return step == StepCardPINChange
	case SubmitCardUnblock:
		return step == StepCardUnblock
	}
	return false
}

// scrub zeroes the secrets an intent carries.
func scrub(in Intent) {
	switch v := in.(type) {
	case SubmitPIN:
		clear(v.PIN)
	case SubmitPassword:
		clear(v.Password)
	case SetPassword:
		clear(v.New)
		clear(v.Confirm)
	case ChangePassword:
		clear(v.Old)
		clear(v.New)
		clear(v.Confirm)
	case SetSecretQuestion:
		clear(v.Answer)
		clear(v.Confirm)
	case SubmitRecoveryAnswer:
		clear(v.Answer)
	case SubmitCardPINChange:
		clear(v.Old)
		clear(v.New)
		clear(v.Confirm)
	case SubmitCardUnblock:
		clear(v.PUK)
		clear(v.New)
		clear(v.Confirm)
	}
}

// chooseCard is "CPX" on the home screen (or "Déverrouiller" when locked): the card in the
// reader is read again and the PIN asked.
func (e *Engine) chooseCard() {
	r := &e.run
	reader := r.reader
	if _, ok := r.cards[reader]; !ok || reader == "" {
		readers := make([]string, 0, len(r.cards))
		for name, ev := range r.cards {
			if ev.Kind == CardInserted {
				readers = append(readers, name)
			}
		}
		sort.Strings(readers)
		if len(readers) == 0 {
			r.s.Notice = NoticeInsertCard
			e.publish()
			return
		}
		reader = readers[0]
	}
	e.clearOTP()
	e.identify(r.cards[reader])
}

// cancel is "Annuler" / Esc: it drops any call in flight and steps back.
func (e *Engine) cancel() {
	r := &e.run
	step := r.s.Step
	if r.s.Busy {
		e.newFlow()
		r.s.Busy, r.s.BusyLabel = false, ""
	}
	signed := r.token != ""
	switch {
	case step == StepPSCPush || step == StepPSCBrowser:
		e.cancelPSC()
	case step == StepCardPINChange || step == StepCardUnblock:
		e.cardAdminBack("")
	case step == StepSettings && signed && r.from == StepSignedIn:
		e.signedIn()
	case step == StepSettings && signed:
		e.to(r.from)
		e.publish()
	case signed && r.required && isActionStep(step):
		e.signOutNow(NoticeSignedOut) // a required action abandoned: the sign-in is abandoned
	case signed && isActionStep(step):
		e.signedIn()
	case r.lock != nil && (isCardStep(step) || step == StepLocked):
		e.to(StepLocked)
		e.publish()
	case signed:
		e.publish()
	default:
		e.clearOTP()
		e.toHome("")
	}
}

func isActionStep(s Step) bool {
	switch s {
	case StepChooseProfile, StepLinkPhone, StepSetPassword, StepChangePassword, StepOTPChannels,
		StepSecretQuestion:
		return true
	}
	return false
}

// ignore drops an intent the current step does not take, zeroing its secrets.
func (e *Engine) ignore(in Intent) {
	r := &e.run
	e.log.Debug("intent ignored", "intent", fmt.Sprintf("%T", in), "step", r.s.Step.String(), "busy", r.s.Busy)
	scrub(in)
}
