package password

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// ResultError maps a failed sign-in to the wire error: api.CodeCredentials with the detail
// "tries_left", or api.CodeAccountLocked with "retry_after" (whole seconds from now), with
// seed 002's French messages. It returns nil for Accepted. An unknown account must get the
// very same answer as a wrong password: since it has no try count, pass hideTries = true for
// every account (or count tries for unknown names too), otherwise "tries_left" tells which
// accounts exist.
func ResultError(r Result, now time.Time, hideTries bool) *api.Error {
	switch r.Outcome {
	case Failed:
		e := &api.Error{Status: http.StatusUnauthorized, Code: api.CodeCredentials, Message: MsgCredentialsFR}
		if !hideTries {
			e.Details = map[string]string{"tries_left": strconv.Itoa(r.TriesLeft)}
		}
		return e
	case Locked:
		e := &api.Error{Status: http.StatusLocked, Code: api.CodeAccountLocked, Message: MsgLockedFR}
		if r.RetryAt.Before(Permanent) { // a permanent lock waits for the support
			secs := int(r.RetryAt.Sub(now).Round(time.Second) / time.Second)
			e.Details = map[string]string{"retry_after": strconv.Itoa(max(secs, 1))}
		}
		return e
	}
	return nil
}

// PolicyError maps Check's violations to api.CodePasswordPolicy; Details maps each violated
// rule code to its French message. It returns nil when vs is empty.
func PolicyError(vs []Violation) *api.Error {
	if len(vs) == 0 {
		return nil
	}
	d := make(map[string]string, len(vs))
	for _, v := range vs {
		d[v.Code] = v.MessageFR
	}
	return &api.Error{Status: http.StatusUnprocessableEntity, Code: api.CodePasswordPolicy,
		Message: "Le mot de passe ne respecte pas la politique de sécurité", Details: d}
}
