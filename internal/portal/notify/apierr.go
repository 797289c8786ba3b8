package notify

import (
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// APIError maps a failed delivery to api.CodeDeliveryFailed (HTTP 502) with a French message
// and the detail "job" (the id to look up in the queue); nil when the job has not failed.
// The reason stays in the queue and the logs: it names the relay or gateway, which the user
// does not need.
func APIError(r Report) *api.Error {
	if r.Status != StatusFailed {
		return nil
	}
	return &api.Error{Status: http.StatusBadGateway, Code: api.CodeDeliveryFailed,
		Message: "Le message n'a pas pu être envoyé ; réessayez ou choisissez un autre canal",
		Details: map[string]string{"job": r.ID}}
}
