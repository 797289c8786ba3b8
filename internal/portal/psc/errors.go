package psc

import (
	"errors"
	"fmt"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Refusal is a failed PSC step with its stable API code (api.CodePSC…) and the reason for
// the log and the audit (never a token).
type Refusal struct {
	Code   string
	Reason string
}

func (r *Refusal) Error() string { return "psc: " + r.Code + ": " + r.Reason }

// CodeOf is err's refusal code; any other error is psc_unavailable.
func CodeOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return api.CodePSCUnavailable
}

func refuse(code, format string, args ...any) error {
	return &Refusal{Code: code, Reason: fmt.Sprintf(format, args...)}
}

func unavailable(step string, err error) error {
	return &Refusal{Code: api.CodePSCUnavailable, Reason: step + ": " + err.Error()}
}

// OAuth error codes of the token and CIBA endpoints.
const (
	errPending      = "authorization_pending"
	errSlowDown     = "slow_down"
	errDenied       = "access_denied"
	errExpired      = "expired_token"
	errUnknownUser  = "unknown_user_id"
	errInvalidGrant = "invalid_grant"
)

// OAuthError is an error answer of a PSC endpoint ({"error": …}).
type OAuthError struct {
	Status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *OAuthError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Description)
}
