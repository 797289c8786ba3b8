package otp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Sentinels, matched with errors.Is; each maps to one api code (APIError).
var (
	ErrInvalid        = errors.New("otp: wrong code")
	ErrExpired        = errors.New("otp: code expired")
	ErrUsed           = errors.New("otp: code already used")
	ErrTriesExceeded  = errors.New("otp: too many wrong codes")
	ErrResendTooSoon  = errors.New("otp: new code asked too soon")
	ErrResendCap      = errors.New("otp: too many codes sent")
	ErrChannel        = errors.New("otp: invalid channel")
	ErrCaptchaInvalid = errors.New("otp: wrong captcha answer")
	ErrCaptchaExpired = errors.New("otp: captcha expired")
	ErrCaptchaReplay  = errors.New("otp: captcha already used")
	ErrLinkExpired    = errors.New("otp: link expired")
	ErrLinkUsed       = errors.New("otp: link already used")
)

// Error carries what the user is told beside the sentinel: tries left after a wrong code, or
// when a new code may be asked.
type Error struct {
	Err       error // one of the sentinels
	TriesLeft int
	RetryAt   time.Time
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// APIError maps an error of this package to the portal's wire error: code, HTTP status, a
// French message and the details "tries_left" and "retry_after" (whole seconds from now). It
// returns nil for nil and an api.CodeInternal error for an error it does not know.
func APIError(err error, now time.Time) *api.Error {
	if err == nil {
		return nil
	}
	out := &api.Error{Status: http.StatusInternalServerError, Code: api.CodeInternal, Message: "Erreur interne"}
	for _, m := range mappings {
		if errors.Is(err, m.err) {
			out = &api.Error{Status: m.status, Code: m.code, Message: m.fr}
			break
		}
	}
	var e *Error
	if errors.As(err, &e) {
		out.Details = map[string]string{}
		if errors.Is(err, ErrInvalid) {
			out.Details["tries_left"] = strconv.Itoa(e.TriesLeft)
		}
		if !e.RetryAt.IsZero() {
			secs := int(e.RetryAt.Sub(now).Round(time.Second) / time.Second)
			out.Details["retry_after"] = strconv.Itoa(max(secs, 1))
		}
	}
	return out
}

var mappings = []struct {
	err    error
	status int
	code   string
	fr     string
}{
	{ErrInvalid, http.StatusUnauthorized, api.CodeOTPInvalid, "Le code saisi est incorrect"},
	{ErrExpired, http.StatusUnauthorized, api.CodeOTPExpired, "Le code a expiré, demandez-en un nouveau"},
	{ErrUsed, http.StatusUnauthorized, api.CodeOTPExpired, "Ce code a déjà été utilisé, demandez-en un nouveau"},
	{ErrTriesExceeded, http.StatusTooManyRequests, api.CodeOTPTriesExceeded, "Trop de codes erronés, demandez un nouveau code"},
	{ErrResendTooSoon, http.StatusTooManyRequests, api.CodeOTPResendTooSoon, "Veuillez patienter avant de demander un nouveau code"},
	{ErrResendCap, http.StatusTooManyRequests, api.CodeOTPResendCap, "Trop de codes envoyés, recommencez la connexion"},
	{ErrChannel, http.StatusBadRequest, api.CodeChannelInvalid, "Numéro de portable ou adresse e-mail invalide"},
	{ErrCaptchaInvalid, http.StatusBadRequest, api.CodeCaptchaInvalid, "Le résultat de l'opération est incorrect"},
	{ErrCaptchaExpired, http.StatusBadRequest, api.CodeCaptchaInvalid, "L'opération a expiré, veuillez en résoudre une nouvelle"},
	{ErrCaptchaReplay, http.StatusBadRequest, api.CodeCaptchaInvalid, "Veuillez résoudre une nouvelle opération"},
	{ErrLinkExpired, http.StatusGone, api.CodeLinkInvalid, "Ce lien a expiré, demandez-en un nouveau"},
	{ErrLinkUsed, http.StatusGone, api.CodeLinkInvalid, "Ce lien a déjà été utilisé"},
}
