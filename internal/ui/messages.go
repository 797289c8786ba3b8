package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// errorText is the French (or English) sentence for err, "" when err is nil.
func errorText(err error) string {
	key := agent.MessageKey(err)
	if key == "" {
		return ""
	}
	if !hasMessage("err." + key) {
		key = agent.KeyUnknown
	}
	if pe, ok := errors.AsType[*agent.PUKError](err); ok && pe.TriesLeft >= 0 {
		return T("err.puk_incorrect_tries", map[string]any{"N": pe.TriesLeft})
	}
	return T("err."+key, map[string]any{"Holder": api.DetailOf(err, "holder")})
}

// noticeText is the sentence of an engine notice ("" when there is none).
func noticeText(s agent.Snapshot) string {
	if s.Notice == "" {
		return ""
	}
	key := "notice." + s.Notice
	if !hasMessage(key) {
		key = "notice.unknown"
	}
	return T(key, map[string]any{"Holder": s.Holder, "Time": formatDuration(s.TimeLeft)})
}

// formatDuration writes a time left the way a wall clock reads: "1 h 05", "12 min", "< 1 min".
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return "< 1 min"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d", h, m)
}

// holderName is the display name of the signed-in user.
func holderName(s agent.Snapshot) string {
	if s.Session != nil {
		u := s.Session.User
		if n := strings.TrimSpace(u.GivenName + " " + u.FamilyName); n != "" {
			return n
		}
		return u.Identifiant
	}
	if s.Card != nil {
		return s.Card.HolderName
	}
	return ""
}

// asPINError is the wrong PIN of err, if any.
func asPINError(err error) (*agent.PINError, bool) {
	return errors.AsType[*agent.PINError](err)
}
