package server

import (
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// CodeCodesCapped is the audit code of a code held back by the hourly cap (never an API
// answer: the requester is told the same as when a code goes out).
const CodeCodesCapped = "codes_capped"

// codeAllowed takes one code from the account's hourly cap (AuthOptions.CodesPerHour). Over
// the cap it writes an audit line (event and detail of sent, the code CodeCodesCapped) and
// counts cpx_portal_codes_capped_total{flow}.
func (s *Server) codeAllowed(r *http.Request, userID, flow string, sent store.AuditEntry) bool {
	ok, err := s.st.TakeCodeSend(r.Context(), userID, s.opts.Auth.CodesPerHour)
	if err != nil {
		s.log.Error("code cap", "err", err)
		return false
	}
	if !ok {
		s.metrics.capped.WithLabelValues(flow).Inc()
		sent.Result, sent.Code = store.ResultRefused, CodeCodesCapped
		s.audit(r.Context(), sent)
	}
	return ok
}
