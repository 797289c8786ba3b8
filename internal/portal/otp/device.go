package otp

import (
	"crypto/subtle"
	"time"
)

// DeviceTTL is how long a workstation is remembered (seed 003: "pendant 24h").
const DeviceTTL = 24 * time.Hour

// Device is a remembered (user, workstation) pair as the store keeps it: the token itself is
// only on the workstation.
type Device struct {
	Hash        []byte // HashToken(token)
	UserID      string
	Workstation string
	ExpiresAt   time.Time
}

// NewDevice returns the token to hand to the workstation (api.SignIn.DeviceToken) and the
// record to store. ttl ≤ 0 means DeviceTTL.
func NewDevice(userID, workstation string, now time.Time, ttl time.Duration) (string, Device, error) {
	if ttl <= 0 {
		ttl = DeviceTTL
	}
	tok, err := NewToken()
	if err != nil {
		return "", Device{}, err
	}
	return tok, Device{Hash: HashToken(tok), UserID: userID, Workstation: workstation, ExpiresAt: now.Add(ttl)}, nil
}

// Valid reports whether token lets userID skip the code on workstation at now: it is d's
// token (constant-time), for this user and this workstation, and not expired.
func (d Device) Valid(token, userID, workstation string, now time.Time) bool {
	same := subtle.ConstantTimeCompare(HashToken(token), d.Hash) == 1
	return same && d.UserID == userID && d.Workstation == workstation && now.Before(d.ExpiresAt)
}

// CancelledBy reports whether a sign-in of userID on workstation cancels d (seed 003: "Si un
// professionnel utilise après vous le même poste …, votre enregistrement sera annulé"). Call
// it on every successful sign-in, whatever the method, and delete the records it selects
// (in SQL: DELETE … WHERE workstation = $ws AND user_id <> $user).
func CancelledBy(d Device, userID, workstation string) bool {
	return d.Workstation == workstation && d.UserID != userID
}
