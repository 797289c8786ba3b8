package api

// Codes lists every stable error code (errors.go), in one place: the agent's message keys
// and the command line's sentences are built from it, and a test of each fails on a code
// missing here.
func Codes() []string {
	return []string{
		CodeInvalidRequest, CodeUnauthenticated, CodeSessionExpired, CodeSessionRevoked,
		CodeCertUntrusted, CodeCertExpired, CodeCertRevoked, CodeCertUsage, CodeCardUnknown,
		CodeForbidden, CodeProfileUnknown, CodeProfileRequired, CodePhoneUnknown, CodePhoneTaken,
		CodeCredentials, CodeAccountLocked, CodePasswordPolicy, CodePasswordMismatch,
		CodePasswordExpired, CodePasswordReused, CodeOTPInvalid, CodeOTPExpired,
		CodeOTPTriesExceeded, CodeOTPResendTooSoon, CodeOTPResendCap, CodeNoChannel,
		CodeChannelInvalid, CodeDeliveryFailed, CodeCaptchaInvalid, CodeLinkInvalid, CodeRateLimited,
		CodeNotFound, CodePSCUnavailable, CodePSCDenied, CodePSCExpired, CodePSCCancelled,
		CodePSCACRTooLow, CodePSCACRMissing, CodePSCTokenInvalid, CodePSCStateInvalid,
		CodePSCHandoffFailed, CodeInternal,
	}
}
