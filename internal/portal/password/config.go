package password

import (
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Config gathers the password settings of the portal.
type Config struct {
	Params  Params
	Policy  Policy
	MaxAge  time.Duration // 0 disables expiry
	Lockout Lockout
}

// DefaultConfig: OWASP argon2id parameters, the "sante" preset, 90-day expiry and a
// 20-minute lock after 3 failures (seed 002), doubling with each further lock up to 4 hours.
func DefaultConfig() Config {
	return Config{
		Params:  DefaultParams,
		Policy:  Sante(),
		MaxAge:  90 * 24 * time.Hour,
		Lockout: Lockout{MaxFailures: 3, LockFor: 20 * time.Minute, MaxLockFor: 4 * time.Hour},
	}
}

// MaxAgeDays returns MaxAge in whole days, for api.PasswordPolicy.
func (c Config) MaxAgeDays() int { return int(c.MaxAge / (24 * time.Hour)) }

// API returns the policy in force as the agent's live checklist needs it.
func (c Config) API() api.PasswordPolicy { return c.Policy.API(c.MaxAgeDays()) }

// Expired reports whether a password changed at changedAt must be changed at now (seed 002:
// "Le mot de passe expire au terme de 90 jours"). A zero changedAt (never set) is expired.
func Expired(changedAt, now time.Time, maxAge time.Duration) bool {
	if maxAge <= 0 {
		return false
	}
	return changedAt.IsZero() || !now.Before(changedAt.Add(maxAge))
}
