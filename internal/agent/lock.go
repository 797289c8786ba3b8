package agent

import (
	"context"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Locking: the session stays open at the portal while the screen is locked; the card that
// locked it (holder and serial before the PIN, certificate after) resumes it, any other card
// signs it out first.

// identity tells one card from another: the holder name and serial are read without a PIN,
// the certificate fingerprint after the PIN.
type identity struct {
	Holder string `json:"holder,omitempty"`
	Serial string `json:"serial,omitempty"`
	CertFP string `json:"cert,omitempty"` // SHA-256 of the authentication certificate
}

// sameCard compares what both sides know; nothing comparable counts as "maybe the same",
// which the certificate check after the PIN settles.
func (a identity) sameCard(b identity) bool {
	if a.Serial != "" && b.Serial != "" {
		return a.Serial == b.Serial
	}
	if a.Holder != "" && b.Holder != "" {
		return a.Holder == b.Holder
	}
	return true
}

// resume unlocks a locked session: the same card (certificate) resumes it if the portal still
// knows it, otherwise the holder signs in again; another card signs the first user out.
func (e *Engine) resume(cred Credential, id identity) {
	r := &e.run
	if r.lock.CertFP != "" && id.CertFP != "" && r.lock.CertFP != id.CertFP {
		e.endSession(true)
		e.signInCard(cred, id)
		r.s.Notice = NoticePreviousUserSignedOut
		e.publish()
		return
	}
	e.to(StepSigningIn)
	p, tok := e.d.Portal, r.token
	e.startFull(BusySessionResuming, e.cfg.CallTimeout, func(ctx context.Context) (func(), func()) {
		s, err := p.Session(ctx, tok)
		return func() { e.resumed(cred, id, s, err) }, func() { _ = cred.Close() }
	})
	e.publish()
}

func (e *Engine) resumed(cred Credential, id identity, s api.Session, err error) {
	r := &e.run
	switch code := api.CodeOf(err); {
	case err == nil:
		_ = cred.Close()
		r.lock, r.id = nil, id
		e.setSession(s)
		e.nextAction()
	case code == api.CodeSessionExpired || code == api.CodeSessionRevoked || code == api.CodeUnauthenticated:
		e.endSession(false)
		e.signInCard(cred, id)
		r.s.Notice = NoticeSessionExpired
		e.publish()
	default:
		_ = cred.Close()
		e.to(StepLocked)
		r.s.Err = err
		e.publish()
	}
}

// lockNow is the banner's "Verrouiller": card sessions lock; others (no card to unlock
// with) sign out.
func (e *Engine) lockNow() {
	r := &e.run
	if r.token == "" {
		return
	}
	if r.method != api.MethodCard {
		e.signOutNow(NoticeSignedOut)
		return
	}
	e.to(StepLocked)
	e.publish()
	e.newFlow()
	lock := r.id
	r.lock = &lock
}
