// Package token is the card's PKCS#11 side: it loads a middleware module (Cryptolib CPS or
// OpenSC, from drivers' catalogue, a configured path first), finds the slot of a PC/SC reader,
// reads the holder's certificate without a PIN, verifies the PIN once, and gives the
// authentication key as a crypto.Signer usable by crypto/tls.
//
// # Module choice
//
// Open tries each candidate module in order. A module wins when it loads AND shows a token in
// the slot that matches the reader; the choice and the reasons the others were passed over are
// logged with slog (module paths and PKCS#11 return codes only).
//
// # Slot ↔ reader matching
//
// A slot's description carries the PC/SC reader name, possibly cut to 64 bytes (PKCS#11's
// field size) or decorated by the middleware. Ranks, best first: equal names; the description
// is a prefix of the reader name (cut name); the reader name is a prefix of the description;
// one contains the other. The best-ranked slot with a token wins; ties go to the lowest slot
// in the module's order. An empty reader accepts any slot with a token.
//
// # Sessions
//
// One card, one session: a Token keeps a single read-write session and serialises every
// PKCS#11 call on it with a mutex. Before a PIN is sent, the session's health is checked
// (C_GetSessionInfo) and a stale one (card pulled and put back) is replaced, so the PIN goes
// to the card that is there now. A session lost to a removal is reported as ErrTokenRemoved
// and every Key obtained through it stops working; a new Login (PIN asked again) works after
// reinsertion. Modules are loaded and C_Initialize'd once per process and shared by Tokens
// through a reference count; PKCS#11 login state is per process and token, so two Tokens on
// the same slot share it.
//
// # PINs
//
// Login, ChangePIN and Unblock take PINs as []byte: the caller owns the slice and zeroes it
// after the call (the package does not keep it). The PIN is handed to the module without a Go
// string copy; the module's C copy is beyond our reach. A PIN is sent to the card once per call,
// never retried, never logged, never put in an error. Format is checked first (4 digits for a
// PIN, 8 for a PUK) so a typo never burns a try.
//
// # Tries left
//
// PKCS#11 gives no count, only token flags refreshed by C_GetTokenInfo: CKF_USER_PIN_COUNT_LOW
// (at least one wrong try), CKF_USER_PIN_FINAL_TRY (one left) and CKF_USER_PIN_LOCKED (none).
// PINTries reports them as they are: the exact count is known only for FINAL_TRY (1) and
// LOCKED (0); PINTries.Count returns -1 otherwise. PINTries.Estimate(3) maps the flags onto the
// CPx 3-try counter (no flag → 3, COUNT_LOW → 2), which holds only when the middleware raises
// COUNT_LOW after any wrong try. Measured on OpenSC 0.23 with the PIV virtual card: no flag
// after one wrong PIN (COUNT_LOW is never raised), FINAL_TRY after two, CKR_PIN_LOCKED and
// LOCKED at the third; after a successful login or unblock OpenSC keeps the old flags until the
// module is initialised again (it caches the PIV try counter). A Token therefore clears the
// three flags itself while the last PIN operation through it succeeded (a good VERIFY or an
// unblock resets the card's counter); failures seen by other processes stay invisible either way.
// After a wrong PIN the count is known exactly on a 3-try card: PINTries.AfterFailure(3).
//
// # Signatures
//
// Key signs with CKM_RSA_PKCS over a DigestInfo (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512)
// and with CKM_RSA_PKCS_PSS only when the token lists that mechanism. A CPS3 key cannot do PSS:
// its TLS certificate (Key.TLSCertificate) then offers only PKCS#1 v1.5 algorithms, and TLS
// must stop at 1.2 (Key.ClientTLSConfig does both).
package token
