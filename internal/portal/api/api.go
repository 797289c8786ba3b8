// Package api holds the wire types of cpx-portal's versioned JSON API (/v1) and its stable
// error codes. It is shared by the server, the Go client and the agent's flow engine, and
// imports nothing but the standard library.
package api

import "time"

// Version is the path prefix of this API.
const Version = "/v1"

// Required actions a session still owes before it is fully usable (seed 004's first sign-in).
const (
	ActionChooseProfile     = "choose_profile"
	ActionLinkPhone         = "link_phone"
	ActionSetPassword       = "set_password"        // first password, during the first card sign-in
	ActionChangePassword    = "change_password"     // provisional or expired password
	ActionSetSecretQuestion = "set_secret_question" // first sign-in of an enrolled account
	ActionSetOTPChannels    = "set_otp_channels"
)

// Sign-in methods.
const (
	MethodCard = "card"
	MethodOTP  = "otp"
	MethodPSC  = "psc"
)

// OTP channel kinds.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// User is the account behind a session.
type User struct {
	ID          string `json:"id"`
	NationalID  string `json:"national_id,omitempty"`
	Identifiant string `json:"identifiant"`
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
}

// Entity is a SAMU entity (a regulation centre) a profile is tied to.
type Entity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Profile is a role of a user in an entity.
type Profile struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Entity Entity `json:"entity"`
}

// Profiles lists a user's profiles with the last choice on this workstation.
type Profiles struct {
	Profiles []Profile `json:"profiles"`
	LastID   string    `json:"last_id,omitempty"`
}

// Session is the state of a portal session.
type Session struct {
	ID              string    `json:"id"`
	Method          string    `json:"method"`
	User            User      `json:"user"`
	Profile         *Profile  `json:"profile,omitempty"`
	Phone           string    `json:"phone,omitempty"` // linked desk phone "numéro unique"
	Workstation     string    `json:"workstation"`
	CreatedAt       time.Time `json:"created_at"`
	ExpiresAt       time.Time `json:"expires_at"`      // absolute timeout
	IdleExpiresAt   time.Time `json:"idle_expires_at"` // idle timeout, pushed back by activity
	RequiredActions []string  `json:"required_actions"`
	LastPhone       string    `json:"last_phone,omitempty"` // phone last linked from this workstation
	// Pro Santé Connect sessions: the acr ("eidas1".."eidas3") and PSC's authMode (MOBILE, CARD).
	ACR      string `json:"acr,omitempty"`
	AuthMode string `json:"auth_mode,omitempty"`
}

// SignIn is the answer to a successful sign-in: the opaque session token (shown once, stored
// hashed by the portal) and the session.
type SignIn struct {
	Token       string  `json:"token"`
	Session     Session `json:"session"`
	DeviceToken string  `json:"device_token,omitempty"` // "remember this workstation for 24 h"
}

// CardSignInRequest is sent over mutual TLS with the card's authentication certificate.
type CardSignInRequest struct {
	Workstation string `json:"workstation"`
}

// ChooseProfileRequest picks the session's profile.
type ChooseProfileRequest struct {
	ProfileID string `json:"profile_id"`
}

// LinkPhoneRequest links the session to a desk phone by its "numéro unique". Takeover unlinks
// the session currently holding it (which is told through its event stream).
type LinkPhoneRequest struct {
	Number   string `json:"number"`
	Takeover bool   `json:"takeover"`
}

// Event is one message of a session's event stream (SSE, GET /v1/session/events).
type Event struct {
	Type    string    `json:"type"` // one of the Event* constants
	At      time.Time `json:"at"`
	Phone   string    `json:"phone,omitempty"`
	By      string    `json:"by,omitempty"` // display name of who took the phone over
	Expires time.Time `json:"expires,omitempty"`
}

// Event types.
const (
	EventPhoneTakenOver = "phone_taken_over"
	EventExpiring       = "session_expiring"
	EventExpired        = "session_expired"
	EventRevoked        = "session_revoked"
	EventSignedOut      = "signed_out"
)

// PasswordPolicy is the password rule set in force, so that the agent can show it as a live
// checklist. Its length and character-class rules are evaluated by Evaluate (password.go),
// the one evaluator the portal and the agent share.
type PasswordPolicy struct {
	Name           string `json:"name"` // "sante" or "norm"
	MinLength      int    `json:"min_length"`
	RequireLower   bool   `json:"require_lower"`
	RequireUpper   bool   `json:"require_upper"`
	RequireLetter  bool   `json:"require_letter"`
	RequireDigit   bool   `json:"require_digit"`
	RequireSpecial bool   `json:"require_special"`
	// Specials lists the characters that count as special ("!@#$%'&" for "norm"); empty means
	// any character that is neither a letter, a digit, a space nor a control character.
	Specials string `json:"specials,omitempty"`
	// MaxLength is the longest password in characters (0: DefaultMaxPasswordLength).
	MaxLength  int `json:"max_length,omitempty"`
	MaxAgeDays int `json:"max_age_days"`
	// LinkTTLMinutes is the validity of an e-mailed recovery link (seed 000: 15 minutes), so
	// that the agent says it without a number of its own (0: password sign-in is off).
	LinkTTLMinutes int `json:"link_ttl_minutes,omitempty"`
}

// Channel is an OTP channel of the signed-in user, masked.
type Channel struct {
	Kind   string `json:"kind"`   // ChannelSMS or ChannelEmail
	Masked string `json:"masked"` // "06 •• •• •• 78", "j•••@exemple.fr"
	Active bool   `json:"active"`
}
