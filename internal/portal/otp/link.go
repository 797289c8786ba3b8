package otp

import "time"

// LinkTTL is the validity of a recovery link (seed 000: "Ce lien a une durée de validité de
// 15 minutes").
const LinkTTL = 15 * time.Minute

// Link purposes.
const (
	PurposeResetPassword = "reset_password"
	PurposeSetPassword   = "set_password" // enrolment by e-mail instead of a provisional password
)

// Link is a recovery link as the store keeps it, looked up by Hash = HashToken(token).
type Link struct {
	Hash      []byte
	UserID    string
	Purpose   string
	ExpiresAt time.Time
	UsedAt    time.Time // zero until redeemed
}

// NewLink returns the token to put in the e-mailed URL and the record to store. ttl ≤ 0
// means LinkTTL.
func NewLink(userID, purpose string, now time.Time, ttl time.Duration) (string, Link, error) {
	if ttl <= 0 {
		ttl = LinkTTL
	}
	tok, err := NewToken()
	if err != nil {
		return "", Link{}, err
	}
	return tok, Link{Hash: HashToken(tok), UserID: userID, Purpose: purpose, ExpiresAt: now.Add(ttl)}, nil
}

// Redeem marks l used at now, or answers ErrLinkUsed / ErrLinkExpired. The store must persist
// the redemption atomically (UPDATE … SET used_at = $now WHERE hash = $h AND used_at IS NULL,
// checking one row changed) so that two clicks cannot both succeed.
func (l *Link) Redeem(now time.Time) error {
	if !l.UsedAt.IsZero() {
		return ErrLinkUsed
	}
	if !now.Before(l.ExpiresAt) {
		return ErrLinkExpired
	}
	l.UsedAt = now
	return nil
}
