// Package password stores, checks and rate-limits cpx-portal passwords.
//
//   - Hashing: argon2id in the PHC string format
//     "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded standard base64), verified in
//     constant time. Hasher bounds concurrent hashes to GOMAXPROCS so that memory stays at
//     about GOMAXPROCS × 19 MiB whatever the load. NeedsRehash tells when a stored hash was
//     made with other parameters: re-hash it on the next successful sign-in.
//   - Unknown accounts: VerifyDummy costs the same as Verify, so an unknown identifiant answers
//     as slowly as a wrong password (no account enumeration by timing).
//   - Policy: presets "sante" (seed 003, the default: 12 characters with lower, upper, digit and
//     special) and "norm" (seed 001: 8 characters with a letter, a digit and one of !@#$%'&);
//     both refuse common passwords (embedded list, see common.go) and passwords containing the
//     identifiant or the user's names. Check returns stable codes with French messages; Rules
//     feeds the agent's live checklist; API exports api.PasswordPolicy.
//   - Expiry: a password older than MaxAge (90 days, seed 002) must be changed (Expired).
//   - Lockout: 3 failures lock the account for 20 minutes (seed 002), see Lockout.Decide.
//
// Sign-in recipe for the portal (store columns: password_hash TEXT, password_changed_at,
// failures INT, locked_until TIMESTAMP, must_change BOOL):
//
//	st := password.State{Failures: row.Failures, LockedUntil: row.LockedUntil}
//	if r := cfg.Lockout.Check(st, now); r.Outcome == password.Locked { → api.CodeAccountLocked }
//	ok, err := hasher.Verify(ctx, pw, row.PasswordHash)   // hasher.VerifyDummy(ctx, pw) for unknown users
//	st, r := cfg.Lockout.Decide(st, now, ok)              // store st in the same transaction
//	switch r.Outcome { case password.Failed: → CodeCredentials (r.TriesLeft); case password.Locked: → CodeAccountLocked }
//	if hasher.NeedsRehash(row.PasswordHash) { store hasher.Hash(ctx, pw) }
//	if row.MustChange || password.Expired(row.PasswordChangedAt, now, cfg.MaxAge) { required action change_password }
package password
