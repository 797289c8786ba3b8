package api

import (
	"errors"
	"fmt"
)

// Stable error codes. They never change meaning; clients switch on them, never on messages.
const (
	CodeInvalidRequest   = "invalid_request"
	CodeUnauthenticated  = "unauthenticated"
	CodeSessionExpired   = "session_expired"
	CodeSessionRevoked   = "session_revoked"
	CodeCertUntrusted    = "cert_untrusted" // not issued by a configured CA
	CodeCertExpired      = "cert_expired"
	CodeCertRevoked      = "cert_revoked"
	CodeCertUsage        = "cert_usage" // key usage / EKU do not allow client authentication
	CodeCardUnknown      = "card_unknown"
	CodeForbidden        = "forbidden" // habilitation refused for this application
	CodeProfileUnknown   = "profile_unknown"
	CodeProfileRequired  = "profile_required"
	CodePhoneUnknown     = "phone_unknown"
	CodePhoneTaken       = "phone_taken"
	CodeCredentials      = "credentials_invalid"
	CodeAccountLocked    = "account_locked"
	CodePasswordPolicy   = "password_policy"
	CodePasswordMismatch = "password_mismatch"
	CodePasswordExpired  = "password_expired"
	CodePasswordReused   = "password_reused"
	CodeOTPInvalid       = "otp_invalid"
	CodeOTPExpired       = "otp_expired"
	CodeOTPTriesExceeded = "otp_tries_exceeded"
	CodeOTPResendTooSoon = "otp_resend_too_soon"
	CodeOTPResendCap     = "otp_resend_cap"
	CodeNoChannel        = "otp_no_channel"
	CodeChannelInvalid   = "channel_invalid"
	CodeDeliveryFailed   = "delivery_failed"
	CodeCaptchaInvalid   = "captcha_invalid"
	CodeLinkInvalid      = "link_invalid"
	CodeRateLimited      = "rate_limited"
	CodeNotFound         = "not_found"
	// Pro Santé Connect (docs/psc.md). An unknown national id is CodeCardUnknown, as for a card.
	CodePSCUnavailable   = "psc_unavailable"     // PSC unreachable or not configured
	CodePSCDenied        = "psc_denied"          // refused on the phone
	CodePSCExpired       = "psc_expired"         // not approved in time
	CodePSCCancelled     = "psc_cancelled"       // cancelled by the agent
	CodePSCACRTooLow     = "psc_acr_too_low"     // acr not in the accepted list
	CodePSCACRMissing    = "psc_acr_missing"     // no acr and the policy refuses it
	CodePSCTokenInvalid  = "psc_token_invalid"   // signature, issuer, audience, expiry, algorithm, nonce
	CodePSCStateInvalid  = "psc_state_invalid"   // browser flow: unknown or replayed state
	CodePSCHandoffFailed = "psc_handoff_invalid" // browser flow: unknown, replayed or wrong-verifier handoff
	CodeInternal         = "internal"
)

// Error is the body of every non-2xx answer: {"error": {...}}.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

// ErrorBody wraps Error on the wire.
type ErrorBody struct {
	Error *Error `json:"error"`
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "portal: " + e.Code
	}
	return fmt.Sprintf("portal: %s: %s", e.Code, e.Message)
}

// Is makes errors.Is(err, &api.Error{Code: c}) match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the stable code of err, or "" when err carries none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// DetailOf returns a detail of err's API error (for example "holder" of CodePhoneTaken,
// "tries_left" of CodeCredentials, "retry_after" of CodeAccountLocked).
func DetailOf(err error, key string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Details[key]
	}
	return ""
}
