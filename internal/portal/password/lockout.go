package password

import "time"

// Seed 002's messages.
const (
	MsgCredentialsFR = "Le couple identifiant/mot de passe est incorrect"
	MsgLockedFR      = "Le compte a été verrouillé suite à un trop grand nombre d'échecs de connexion avec cet identifiant utilisateur"
	MsgExpiredFR     = "Votre mot de passe a expiré, veuillez le modifier afin de pouvoir vous authentifier"
)

// Lockout locks an account after MaxFailures consecutive failures for LockFor (seed 002:
// "Je dispose de 3 essais", "Je patiente une vingtaine de minutes").
type Lockout struct {
	MaxFailures int
	LockFor     time.Duration
}

// State is what the store keeps per account.
type State struct {
	Failures    int       // consecutive failures since the last success or lock
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
		s = State{}
	}
	if success {
		return State{}, Result{Outcome: Accepted, TriesLeft: l.MaxFailures}
	}
	s.Failures++
	if s.Failures >= l.MaxFailures {
		until := now.Add(l.LockFor)
		return State{LockedUntil: until}, Result{Outcome: Locked, RetryAt: until}
	}
	return s, Result{Outcome: Failed, TriesLeft: l.MaxFailures - s.Failures}
}
