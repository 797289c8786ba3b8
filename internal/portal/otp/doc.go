// Package otp holds the pure logic of the second factor and of account recovery in cpx-portal:
// one-time codes, OTP channels, "remember this workstation" device tokens, the arithmetic
// captcha and recovery links. Nothing here does I/O: every function takes the current time,
// and every record is a plain struct the portal stores as it likes.
//
// One-time codes (seed 003: "valide pendant une durée de 5 minutes"): 6 digits drawn
// uniformly from crypto/rand, stored as HMAC-SHA-256(server key, challenge id, code), compared
// in constant time, single use, at most 5 wrong tries per code, a new code at most every 30 s
// and at most 5 codes per challenge (Config, DefaultConfig).
//
//	m, _ := otp.NewManager(key, otp.DefaultConfig())       // key: ≥ 32 random bytes from the keyring
//	ch, _ := otp.ParseChannel(api.ChannelSMS, "06 12 34 56 78", otp.PhoneOptions{})
//	c, code, _ := m.Issue(ch, now)                         // store c; send code via notify; forget code
//	err := m.Verify(&c, typed, now)                        // store c again (tries, used) whatever err is
//	code, err = m.Resend(&c, now)                          // ErrResendTooSoon / ErrResendCap
//	apiErr := otp.APIError(err, now)                       // *api.Error with CodeOTP* and details
//
// The store must update a challenge with a compare-and-set (for example on Tries/Sends/Used)
// so that two concurrent Verify calls cannot both consume the same try or code.
//
// Channels: French mobile numbers in the usual spellings ("06 12 34 56 78", "06.12.34.56.78",
// "+33 6 12 34 56 78", "+33 (0)6…", "0033 6…") become E.164 "+33612345678"; only mobile
// ranges (06, 07) are accepted for SMS. Foreign E.164 numbers ("+44…", also the overseas
// departments "+262…", "+590…") are refused unless PhoneOptions.AllowForeign is set (the
// gateway must then be able to reach them). E-mail addresses are validated with net/mail and
// lower-cased. Masked renders "06 •• •• •• 78" and "j•••@exemple.fr".
//
// Device tokens (seed 003, "Enregistrer la double authentification pendant 24h"): NewDevice
// returns an opaque token for the workstation and a Device record holding only its SHA-256;
// Device.Valid checks user, workstation and expiry; CancelledBy tells which records a sign-in
// of another user on the same workstation cancels ("si un professionnel utilise après vous le
// même poste … votre enregistrement sera annulé").
//
// Captcha (seeds 000/002, "Veuillez résoudre l'opération suivante : 9 + 0 ="): stateless — the
// token carries a nonce and an expiry under an HMAC bound to the answer; a ReplayCache makes
// each token single-use.
//
// Recovery links (seed 000): single use, 15 minutes, only the SHA-256 of the token is stored.
package otp
