package server

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// guess is one try of a secret: a password at sign-in, an old password, a code or a secret
// answer. Every one of them counts toward the account's lock (docs/security.md).
type guess struct {
	userID  string // "" when the name matches no account
	subject string // the typed name at sign-in ("" elsewhere)
	right   bool   // the secret was right
	audit   store.AuditEntry
	// lockEvent replaces audit.Event when the answer is a lock ("" keeps it).
	lockEvent string
	quietOK   bool // no audit line for an accepted guess (the caller writes its own)
}

// verdict is how a guess ends: accepted, or refused with the account's and the name's
// outcomes.
type verdict struct {
	accepted   bool
	acct, name password.Result
}

// countGuess folds g into the lock states in one transaction, rows locked (store.RecordAttempt),
// so that parallel guesses on one or several instances are all counted. A name that is
// locked refuses without counting against the account; otherwise the account decides and
// the name follows (a refusal counts as a failure of the name).
func (s *Server) countGuess(ctx context.Context, g guess) (verdict, error) {
	lo, now := s.opts.Auth.Password.Lockout, s.st.Now()
	var v verdict
	err := s.st.RecordAttempt(ctx, store.Attempt{UserID: g.userID, Subject: g.subject,
		Fold: func(acct, name *store.LockState) store.AuditEntry {
			v = verdict{}
			ns := password.State(*name)
			if g.subject != "" && lo.Check(ns, now).Outcome == password.Locked {
				v.acct = lo.Check(password.State(*acct), now)
			} else {
				as, res := lo.Decide(password.State(*acct), now, g.right)
				*acct, v.acct = store.LockState(as), res
				v.accepted = res.Outcome == password.Accepted
			}
			if g.subject != "" {
				ns2, res := lo.Decide(ns, now, v.accepted)
				*name, v.name = store.LockState(ns2), res
				v.accepted = v.accepted && res.Outcome == password.Accepted
			}
			return g.auditOf(v)
		}})
	return v, err
}

// auditOf is g's audit line for v.
func (g guess) auditOf(v verdict) store.AuditEntry {
	e := g.audit
	if v.accepted && g.quietOK {
		return store.AuditEntry{}
	}
	if v.accepted {
		return e
	}
	e.Result, e.Code = store.ResultRefused, api.CodeCredentials
	if v.name.Outcome == password.Locked || (g.subject == "" && v.acct.Outcome == password.Locked) {
		e.Code = api.CodeAccountLocked
		if g.lockEvent != "" {
			e.Event = g.lockEvent
		}
	}
	return e
}

// refusal is the answer to a refused guess. At sign-in only the typed name's lock is told
// (423): an account locked through another of its names answers like a wrong password, so
// that the lock does not tell which names belong to one account. Elsewhere (old password,
// code) the account's lock is told.
func (s *Server) refusal(g guess, v verdict) *api.Error {
	now := s.st.Now()
	switch {
	case g.subject != "" && v.name.Outcome == password.Locked:
		return password.ResultError(v.name, now, true)
	case g.subject == "" && v.acct.Outcome == password.Locked:
		return password.ResultError(v.acct, now, true)
	}
	return password.ResultError(password.Result{Outcome: password.Failed}, now, true)
}

// signInSubject is the name a sign-in attempt is counted under: its normalised form, or,
// for a name that does not normalise, a keyed digest of what was typed (each such name its
// own counter, not one shared by all).
func (s *Server) signInSubject(typed string) string {
	if n, _, err := ident.Normalize(typed); err == nil {
		return n
	}
	return "x:" + hex.EncodeToString(s.keyed("subject", strings.TrimSpace(typed))[:16])
}

// codeGuess counts a typed code (right or wrong) against the account: a wrong one is a
// failure toward its lock, whatever the challenge, and a locked account refuses even the
// right code (423). Its audit line is the caller's.
func (s *Server) codeGuess(ctx context.Context, userID string, right bool) *api.Error {
	g := guess{userID: userID, right: right}
	v, err := s.countGuess(ctx, g)
	if err != nil {
		return s.authStoreError("lock state", err)
	}
	if v.acct.Outcome == password.Locked {
		return s.refusal(g, v)
	}
	return nil
}

// lockedAnswer reports whether e is the lock answer (for metrics and audits).
func lockedAnswer(e *api.Error) bool { return e != nil && e.Status == http.StatusLocked }
