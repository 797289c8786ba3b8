package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
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

// Check renders, at start-up, every message the auth routes send with the configured values
// (link lifetime and address, code lifetime, service, support), so that a configuration no
// message can be made from (a link_ttl under a minute, say) stops the portal with a clear
// error instead of failing each mail later. Call it once the fields are set.
func (o *AuthOptions) Check() error {
	o.defaults()
	ttl := func(d time.Duration) int { return int(d / time.Minute) }
	for _, m := range []struct {
		tmpl, what string
		data       notify.Data
	}{
		{notify.TmplRecoveryLink, "auth.link_ttl (at least 1m) or auth.link_url",
			notify.Data{Link: o.LinkURL + "jeton", Identifiant: "prenom.nom", Minutes: ttl(o.LinkTTL)}},
		{notify.TmplOTPCode, "auth.otp_ttl (at least 1m)", notify.Data{Code: "123456", Minutes: ttl(o.OTP.Config().TTL)}},
		{notify.TmplIdentifiantReminder, "auth.service", notify.Data{Identifiant: "prenom.nom"}},
		{notify.TmplPasswordChanged, "auth.service", notify.Data{}},
	} {
		m.data.Service, m.data.Support = o.Service, o.Support
		for _, lang := range []string{"fr", "en"} {
			if _, err := notify.Render(m.tmpl, lang, m.data); err != nil {
				return fmt.Errorf("the %s message cannot be made with this configuration (check %s): %w", m.tmpl, m.what, err)
			}
		}
	}
	return nil
}
