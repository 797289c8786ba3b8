package password

import "time"

// Seed 002's messages.
const (
	MsgCredentialsFR = "Le couple identifiant/mot de passe est incorrect"
	MsgLockedFR      = "Le compte a été verrouillé suite à un trop grand nombre d'échecs de connexion avec cet identifiant utilisateur"
	MsgExpiredFR     = "Votre mot de passe a expiré, veuillez le modifier afin de pouvoir vous authentifier"
)

// Lockout locks an account after MaxFailures consecutive failures for LockFor (seed 002:
// "Je dispose de 3 essais", "Je patiente une vingtaine de minutes"). Like Keycloak's
// brute-force detection, each further lock before a success waits twice as long as the one
// before, up to MaxLockFor, and the PermanentAfter-th lock lasts until the support unlocks
// the account (0: never permanent).
type Lockout struct {
	MaxFailures    int
	LockFor        time.Duration
	MaxLockFor     time.Duration // ≤ LockFor: every lock lasts LockFor
	PermanentAfter int
}

// Permanent is the end of a permanent lock.
var Permanent = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// State is what the store keeps per account (and per typed name).
type State struct {
	Failures    int       // consecutive failures since the last success or lock
	Locks       int       // locks since the last success
	LockedUntil time.Time // zero when not locked
}

// Outcome of a sign-in attempt.
type Outcome int

// Outcomes.
const (
	Accepted Outcome = iota + 1 // password right, account not locked
	Failed                      // password wrong, TriesLeft more before the lock
	Locked                      // account locked until RetryAt (the attempt was not counted)
)

// Result is what the caller tells the user: CodeCredentials with TriesLeft, or
// CodeAccountLocked with RetryAt.
type Result struct {
	Outcome   Outcome
	TriesLeft int
	RetryAt   time.Time
}

// Check tells, before any hashing, whether the account is locked at now.
func (l Lockout) Check(s State, now time.Time) Result {
	if now.Before(s.LockedUntil) {
		return Result{Outcome: Locked, RetryAt: s.LockedUntil}
	}
	return Result{Outcome: Accepted, TriesLeft: l.MaxFailures - s.Failures}
}

// Decide folds one attempt into the state. While locked, every attempt is refused, right or
// wrong, and does not extend the lock. A lock that has run out starts a fresh count. The
// MaxFailures-th consecutive failure locks the account.
func (l Lockout) Decide(s State, now time.Time, success bool) (State, Result) {
	if now.Before(s.LockedUntil) {
		return s, Result{Outcome: Locked, RetryAt: s.LockedUntil}
	}
	if !s.LockedUntil.IsZero() {
		s = State{Locks: s.Locks}
	}
	if success {
		return State{}, Result{Outcome: Accepted, TriesLeft: l.MaxFailures}
	}
	s.Failures++
	if s.Failures >= l.MaxFailures {
		locks := s.Locks + 1
		until := now.Add(l.wait(locks))
		if l.PermanentAfter > 0 && locks >= l.PermanentAfter {
			until = Permanent
		}
		return State{Locks: locks, LockedUntil: until}, Result{Outcome: Locked, RetryAt: until}
	}
	return s, Result{Outcome: Failed, TriesLeft: l.MaxFailures - s.Failures}
}

// wait is the length of the n-th lock: LockFor doubled for each lock before it, at most
// MaxLockFor.
func (l Lockout) wait(n int) time.Duration {
	d := l.LockFor
	for i := 1; i < n && d < l.MaxLockFor; i++ {
		d *= 2
	}
	if l.MaxLockFor > l.LockFor && d > l.MaxLockFor {
		d = l.MaxLockFor
	}
	return d
}
