// Package doctor runs the workstation checks of `cpx-agent doctor` and of the app's
// Diagnostic screen: PC/SC service, readers, card, PKCS#11 modules and their tokens, clock.
// Run returns a plain-data Report; every failed or doubtful check carries a French sentence
// telling the operator what to do (Fix) beside the technical detail (Detail).
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Status of a check.
type Status string

// Statuses. Skip is a check that could not run because it is not configured: it is neither
// passed nor failed.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Check is one line of the report.
type Check struct {
	Name   string `json:"name"`          // stable id: pcscd, readers, card, pkcs11, module, token, clock, portal-clock
	Title  string `json:"title"`         // short English title for IT staff
	Status Status `json:"status"`        // ok, warn, fail, skip
	Detail string `json:"detail"`        // technical detail (English)
	Fix    string `json:"fix,omitempty"` // what the operator should do (French), for warn and fail
}

// Report is the result of Run.
type Report struct {
	Time   time.Time `json:"time"`
	Checks []Check   `json:"checks"`
}

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// count gives the number of checks with status s.
func (r Report) count(s Status) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// JSON is the report as indented JSON.
func (r Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// Text is the report for a terminal: one line per check, the fix under each warn/fail.
func (r Report) Text() string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "[%-4s] %-12s %s: %s\n", c.Status, c.Name, c.Title, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(&b, "       → %s\n", c.Fix)
		}
	}
	verdict := "all checks passed"
	if r.Failed() {
		verdict = "some checks FAILED"
	}
	if n := r.count(Warn); n > 0 {
		verdict += fmt.Sprintf(", %d warning(s)", n)
	}
	fmt.Fprintf(&b, "%s (%s)\n", verdict, r.Time.Format(time.RFC3339))
	return b.String()
}

// Config says what to check. The zero value checks every reader and the catalogue's modules
// for this OS, and skips the portal clock comparison.
type Config struct {
	Reader    string       // reader to check ("" = every reader)
	Modules   []string     // PKCS#11 module paths (nil: token.DefaultModules())
	PortalURL string       // cpx-portal base URL; "" = not configured
	HTTP      *http.Client // for the portal Date header (default: 10 s timeout)
	Now       func() time.Time
}

// Run runs every check. It never fails as a whole: a check that cannot run says so.
func Run(ctx context.Context, cfg Config) Report {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	r := Report{Time: cfg.Now()}
	pc := checkPCSC(cfg.Reader)
	r.Checks = append(r.Checks, pc.checks...)
	r.Checks = append(r.Checks, checkModules(ctx, cfg.Modules, pc.cardReaders)...)
	r.Checks = append(r.Checks, checkClock(cfg.Now()), checkPortalClock(ctx, cfg))
	return r
}
