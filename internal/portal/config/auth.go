package config

import (
	"errors"
	"time"
)

// Auth configures identifiant + password + OTP sign-in, OTP delivery and recovery
// (docs/auth.md). Zero values take the defaults of seeds 000–004.
type Auth struct {
	LockoutFailures int      `json:"lockout_failures"` // failures before the lock (3)
	LockoutFor      Duration `json:"lockout_for"`      // first lock's duration (20m)
	// Each further lock before a success lasts twice the one before, up to LockoutMaxFor
	// (4h); the LockoutPermanentAfter-th lock lasts until `admin user unlock` (0: never).
	LockoutMaxFor         Duration `json:"lockout_max_for"`
	LockoutPermanentAfter int      `json:"lockout_permanent_after"`
	// CodesPerHour caps the codes sent to one account in an hour, both channels, sign-in
	// and recovery together (10).
	CodesPerHour   int      `json:"codes_per_hour"`
	OTPTTL         Duration `json:"otp_ttl"`          // code validity (5m)
	OTPMaxTries    int      `json:"otp_max_tries"`    // wrong tries per code (5)
	OTPResendAfter Duration `json:"otp_resend_after"` // delay before a new code (30s)
	OTPMaxSends    int      `json:"otp_max_sends"`    // codes per sign-in (5)
	RememberFor    Duration `json:"remember_for"`     // "remember this workstation" (24h)
	LinkTTL        Duration `json:"link_ttl"`         // recovery links (15m)
	// LinkURL prefixes the token in e-mailed links: the portal's public address +
	// "/reinitialisation?jeton=" (the link's web page). Default: the listen address.
	LinkURL      string   `json:"link_url"`
	DeliveryWait Duration `json:"delivery_wait"` // how long a send waits for its outcome (5s)
	// RateLimit is the requests per second one client address may make on the password, OTP
	// and recovery routes (10; negative: off), RateBurst the bucket size (30). docs/portal.md.
	RateLimit float64 `json:"rate_limit"`
	RateBurst int     `json:"rate_burst"`
	// KeyFile holds the portal's master secret (≥ 32 bytes, mode 0600). In dev mode it is
	// created in data_dir when absent.
	KeyFile      string `json:"key_file"`
	Service      string `json:"service"` // product name in messages ("SI-SAMU")
	Support      string `json:"support"` // how to reach the support, in messages
	ForeignPhone bool   `json:"foreign_phones"`
	SMTP         SMTP   `json:"smtp"`
	SMS          SMS    `json:"sms"`
	// Outbox keeps messages in data_dir/outbox.jsonl instead of sending them (dev only:
	// codes and passwords in clear); `cpx-portal admin outbox list` shows them.
	Outbox bool `json:"outbox"`
}

// SMTP is the mail relay (submission with STARTTLS and AUTH PLAIN).
type SMTP struct {
	Addr         string `json:"addr"` // host:587
	From         string `json:"from"`
	Username     string `json:"username"`
	PasswordFile string `json:"password_file"`
	CAFile       string `json:"ca_file"` // PEM roots for the relay (default: system)
}

// SMS is the HTTP SMS gateway (see notify.SMSConfig).
type SMS struct {
	URL           string `json:"url"`
	Body          string `json:"body"`         // {"to":"{{to}}","text":"{{text}}"} by default
	ContentType   string `json:"content_type"` // application/json by default
	AuthHeader    string `json:"auth_header"`
	AuthValueFile string `json:"auth_value_file"`
}

// WithDefaults fills the zero values.
func (a Auth) WithDefaults() Auth {
	def := func(d *Duration, v time.Duration) {
		if *d <= 0 {
			*d = Duration(v)
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	defInt(&a.LockoutFailures, 3)
	def(&a.LockoutFor, 20*time.Minute)
	def(&a.LockoutMaxFor, 4*time.Hour)
	defInt(&a.CodesPerHour, 10)
	def(&a.OTPTTL, 5*time.Minute)
	defInt(&a.OTPMaxTries, 5)
	def(&a.OTPResendAfter, 30*time.Second)
	defInt(&a.OTPMaxSends, 5)
	def(&a.RememberFor, 24*time.Hour)
	def(&a.LinkTTL, 15*time.Minute)
	def(&a.DeliveryWait, 5*time.Second)
	if a.RateLimit == 0 {
		a.RateLimit = 10
	}
	defInt(&a.RateBurst, 30)
	if a.Service == "" {
		a.Service = "SI-SAMU"
	}
	if a.SMS.Body == "" {
		a.SMS.Body = `{"to":"{{to}}","text":"{{text}}"}`
	}
	return a
}

// Validate checks what cannot be defaulted.
func (a Auth) Validate(dev bool) error {
	switch {
	case a.Outbox && !dev:
		return errors.New("config: auth.outbox is for dev mode only (it keeps codes in clear)")
	case !a.Outbox && a.SMTP.Addr == "":
		return errors.New("config: auth.smtp.addr is required (or auth.outbox in dev mode)")
	case !dev && a.KeyFile == "":
		return errors.New("config: auth.key_file is required")
	}
	return nil
}
