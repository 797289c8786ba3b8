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
// Sign-in recipe for the portal (users columns of store migration 001: password_hash,
// password_changed_at, must_change_password, failed_attempts, locked_until):
//
//	cfg := password.DefaultConfig()                          // or with Policy: password.Norm()
//	hasher, _ := password.NewHasher(cfg.Params, 0)           // one per process
//	userID, err := ident.Resolve(ctx, dir, typed)
//	if errors.Is(err, ident.ErrNotFound) {
//		hasher.VerifyDummy(ctx, pw)                          // same cost: no enumeration
//		→ password.ResultError(password.Result{Outcome: password.Failed}, now, true)
//	}
//	st := password.State{Failures: row.FailedAttempts, LockedUntil: row.LockedUntil}
//	if r := cfg.Lockout.Check(st, now); r.Outcome == password.Locked { → password.ResultError(r, now, true) }
//	ok, err := hasher.Verify(ctx, pw, row.PasswordHash)
//	st, r := cfg.Lockout.Decide(st, now, ok)                // store st (same transaction as the read)
//	if r.Outcome != password.Accepted { → password.ResultError(r, now, true) }
//	if hasher.NeedsRehash(row.PasswordHash) { store hasher.Hash(ctx, pw) }
//	if row.MustChange || password.Expired(row.PasswordChangedAt, now, cfg.MaxAge) { required action change_password }
//
// Password change: vs := cfg.Policy.Check(pw, password.CheckContext{…}); if vs != nil answer
// password.PolicyError(vs); else store hasher.Hash(ctx, pw), password_changed_at = now,
// must_change_password = 0, and send notify.TmplPasswordChanged. GET of the policy answers
// cfg.API().
package password
