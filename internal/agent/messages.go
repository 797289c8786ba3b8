package agent

import (
	"context"
	"errors"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Message keys: stable identifiers the UI translates (French first). Snapshot.BusyLabel and
// Snapshot.Notice hold one of them; MessageKey turns Snapshot.Err into one.

// Busy labels.
const (
	BusyCardReading       = "card_reading"
	BusyPINChecking       = "pin_checking"
	BusySigningIn         = "signing_in"
	BusySessionResuming   = "session_resuming"
	BusyProfilesLoading   = "profiles_loading"
	BusyProfileChoosing   = "profile_choosing"
	BusyPhoneLinking      = "phone_linking"
	BusyPolicyLoading     = "policy_loading"
	BusyPasswordSetting   = "password_setting"
	BusyChannelsLoading   = "channels_loading"
	BusyChannelTesting    = "channel_testing"
	BusyChannelValidating = "channel_validating"
	BusyChannelRemoving   = "channel_removing"
	BusySessionRefreshing = "session_refreshing"
	BusyOTPSigningIn      = "otp_signing_in"
	BusyOTPSending        = "otp_sending"
	BusyOTPVerifying      = "otp_verifying"
	BusyPSCWaiting        = "psc_waiting"
	BusyPSCStarting       = "psc_starting"
	BusyPSCBrowser        = "psc_browser"
	BusyECPSActivating    = "ecps_activating"
	BusyDiagnosing        = "diagnosing"
	BusySecretSetting     = "secret_setting"
	BusyCaptchaLoading    = "captcha_loading"
	BusyRecoveryStarting  = "recovery_starting"
	BusyRecoveryAnswering = "recovery_answering"
	BusyPINChanging       = "pin_changing"
	BusyCardUnblocking    = "card_unblocking"
)

// Notices (events to show beside the current screen).
const (
	NoticeInsertCard            = "insert_card"
	NoticeMonitorDown           = "monitor_down"
	NoticePhoneTakenOver        = "phone_taken_over" // Snapshot.Holder says who
	NoticeSessionExpiring       = "session_expiring"
	NoticeSessionExpired        = "session_expired"
	NoticeSessionRevoked        = "session_revoked"
	NoticeSignedOutElsewhere    = "signed_out_elsewhere"
	NoticeSignedOut             = "signed_out"
	NoticeSignedOutCardRemoved  = "signed_out_card_removed"
	NoticePreviousUserSignedOut = "previous_user_signed_out"
	NoticeOTPChannelsReminder   = "otp_channels_reminder" // "pensez à modifier les canaux OTP"
	NoticeCodeSent              = "code_sent"
	NoticeChannelValidated      = "channel_validated"
	NoticeDeviceForgotten       = "device_forgotten" // the 24 h remembering was cancelled
	NoticeECPSActivated         = "ecps_activated"
	NoticePasswordChanged       = "password_changed" // seed 001: confirmation mail on its way
	NoticePINChanged            = "pin_changed"
	NoticeCardUnblocked         = "card_unblocked"
	NoticePSCUnavailable        = "psc_unavailable_otp" // PSC unreachable: the OTP path instead
)

// Error keys that are not portal codes.
const (
	KeyPINIncorrect      = "pin_incorrect"
	KeyPINLocked         = "pin_locked"
	KeyPINFormat         = "pin_format"
	KeyCardRemoved       = "card_removed"
	KeyCardNotResponding = "card_not_responding"
	KeyCardUnknown       = "card_unknown"
	KeyModuleMissing     = "module_missing"
	KeyNotConfigured     = "not_configured"
	KeyPhoneFormat       = "phone_format"
	KeyPasswordEmpty     = "password_empty"
	KeyOTPFormat         = "otp_format"
	KeyIdentifiantFormat = "identifiant_format"
	KeyChannelsRequired  = "otp_channels_required"
	KeyChannelKind       = "channel_kind"
	KeyProfileUnknown    = "profile_unknown"
	KeyPortalUnreachable = "portal_unreachable"
	KeyPortalCertificate = "portal_certificate" // the portal's TLS certificate is not trusted
	KeyTimeout           = "timeout"
	KeyNotFound          = "not_found"
	KeyInternal          = "internal"
	KeyUnknown           = "error_unknown"

	KeySecretQuestionUnknown = "secret_question_unknown"
	KeySecretAnswerFormat    = "secret_answer_format"
	KeySecretAnswerMismatch  = "secret_answer_mismatch"
	KeyCaptchaEmpty          = "captcha_empty"
	KeyPINConfirm            = "pin_confirm"
	KeyNewPINLength          = "new_pin_length"
	KeyPUKIncorrect          = "puk_incorrect"
	KeyPUKLocked             = "puk_locked"
	KeyPUKFormat             = "puk_format"
	KeyUnblockUnsupported    = "unblock_unsupported"
	KeyNationalIDFormat      = "national_id_format"
	KeyPSCUnknownID          = "psc_unknown_id"
)

var sentinelKeys = []struct {
	err error
	key string
}{
	{ErrNewPINLength, KeyNewPINLength}, // first: the card adapter wraps it with ErrPINFormat
	{ErrPINIncorrect, KeyPINIncorrect},
	{ErrPINLocked, KeyPINLocked},
	{ErrPINFormat, KeyPINFormat},
	{ErrCardRemoved, KeyCardRemoved},
	{ErrCardNotResponding, KeyCardNotResponding},
	{ErrCardUnknown, KeyCardUnknown},
	{ErrModuleMissing, KeyModuleMissing},
	{ErrNotConfigured, KeyNotConfigured},
	{ErrPhoneFormat, KeyPhoneFormat},
	{ErrPasswordEmpty, KeyPasswordEmpty},
	{ErrPasswordMismatch, api.CodePasswordMismatch},
	{ErrOTPFormat, KeyOTPFormat},
	{ErrIdentifiantFormat, KeyIdentifiantFormat},
	{ErrChannelsRequired, KeyChannelsRequired},
	{ErrUnsupportedChannel, KeyChannelKind},
	{ErrProfileUnknown, KeyProfileUnknown},
	{api.ErrPortalCertificate, KeyPortalCertificate},
	{api.ErrPortalTimeout, KeyTimeout},
	{api.ErrPortalUnreachable, KeyPortalUnreachable},
	{ErrSessionEnded, api.CodeSessionExpired},
	{ErrNotFound, KeyNotFound},
	{ErrMissingDependency, KeyInternal},
	{ErrSecretQuestionUnknown, KeySecretQuestionUnknown},
	{ErrSecretAnswerFormat, KeySecretAnswerFormat},
	{ErrSecretAnswerMismatch, KeySecretAnswerMismatch},
	{ErrCaptchaEmpty, KeyCaptchaEmpty},
	{ErrPINConfirm, KeyPINConfirm},
	{ErrPUKIncorrect, KeyPUKIncorrect},
	{ErrPUKLocked, KeyPUKLocked},
	{ErrPUKFormat, KeyPUKFormat},
	{ErrUnblockUnsupported, KeyUnblockUnsupported},
	{ErrNationalIDFormat, KeyNationalIDFormat},
	{ErrPSCUnknownID, KeyPSCUnknownID},
}

// portalKeys are the portal's stable codes the UI translates as they are.
var portalKeys = api.Codes()

// MessageKey turns an error of a Snapshot into a stable key for the UI ("" for nil). The
// portal's codes are keys as they are; card and input errors have their own keys; the portal
// client's transport failures are "portal_unreachable", "portal_certificate" or "timeout".
func MessageKey(err error) string {
	if err == nil {
		return ""
	}
	if code := api.CodeOf(err); code != "" {
		for _, k := range portalKeys {
			if k == code {
				return k
			}
		}
		return KeyUnknown
	}
	for _, s := range sentinelKeys {
		if errors.Is(err, s.err) {
			return s.key
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KeyTimeout
	}
	return KeyUnknown
}

// MessageKeys lists every key the engine can produce (errors, busy labels, notices), so that
// the UI can test that it translates them all.
func MessageKeys() []string {
	keys := []string{BusyCardReading, BusyPINChecking, BusySigningIn, BusySessionResuming,
		BusyProfilesLoading, BusyProfileChoosing, BusyPhoneLinking, BusyPolicyLoading,
		BusyPasswordSetting, BusyChannelsLoading, BusyChannelTesting, BusyChannelValidating,
		BusyChannelRemoving, BusySessionRefreshing, BusyOTPSigningIn, BusyOTPSending,
		BusyOTPVerifying, BusyPSCWaiting, BusyECPSActivating, BusyDiagnosing, BusySecretSetting,
		BusyCaptchaLoading, BusyRecoveryStarting, BusyRecoveryAnswering, BusyPINChanging, BusyCardUnblocking,
		NoticeInsertCard, NoticeMonitorDown, NoticePhoneTakenOver, NoticeSessionExpiring,
		NoticeSessionExpired, NoticeSessionRevoked, NoticeSignedOutElsewhere, NoticeSignedOut,
		NoticeSignedOutCardRemoved, NoticePreviousUserSignedOut, NoticeOTPChannelsReminder,
		NoticeCodeSent, NoticeChannelValidated, NoticeDeviceForgotten, NoticeECPSActivated,
		NoticePasswordChanged, NoticePINChanged, NoticeCardUnblocked,
		BusyPSCStarting, BusyPSCBrowser, NoticePSCUnavailable,
		KeyPortalCertificate, KeyTimeout, KeyUnknown}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	for _, s := range sentinelKeys {
		if !seen[s.key] {
			seen[s.key] = true
			keys = append(keys, s.key)
		}
	}
	for _, k := range portalKeys {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}
