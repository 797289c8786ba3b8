package agent

import (
	"context"
	"crypto"
	"crypto/x509"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// CardEventKind says what happened in a reader.
type CardEventKind int

const (
	ReaderAdded CardEventKind = iota
	ReaderRemoved
	CardInserted
	CardRemoved
	MonitorDown // PC/SC service lost; the monitor reconnects by itself
)

// CardEvent is one event of the card monitor (cmd/ adapts internal/card's events to it).
type CardEvent struct {
	Kind       CardEventKind
	Reader     string
	ATR        []byte
	Known      bool   // the ATR is a CPx card's
	Family     string // from the ATR table, e.g. "CPS"
	Generation string // "CPS3", "CPS4"
	At         time.Time
}

// CardMonitor streams card events until ctx ends. Already-present cards are reported first.
type CardMonitor interface {
	Events(ctx context.Context) <-chan CardEvent
}

// Credential is a PIN-verified card key, usable for mutual TLS.
type Credential interface {
	Signer() crypto.Signer
	Certificate() *x509.Certificate
	Close() error
}

// Token is the card's PKCS#11 side. Implementations return the errors in errors.go
// (ErrPINIncorrect as *PINError, ErrPINLocked, ErrCardRemoved, ErrModuleMissing).
type Token interface {
	// TriesLeft reads the PIN tries left for the card in reader without a PIN (-1: unknown).
	TriesLeft(ctx context.Context, reader string) (int, error)
	// HolderName reads the holder's display name from the certificate, without a PIN.
	HolderName(ctx context.Context, reader string) (string, error)
	// Login verifies the PIN once (never retried) and returns the authentication key.
	Login(ctx context.Context, reader string, pin []byte) (Credential, error)
}

// Portal is what the engine needs of cpx-portal, in the portal API's own types:
// internal/portal/client's *Client is one as it is. Refusals are *api.Error with stable
// codes; a failure of the exchange itself wraps api.ErrPortalUnreachable, api.ErrPortalTimeout
// or api.ErrPortalCertificate.
type Portal interface {
	// SignInCard signs in over mutual TLS with the card's key (signer) and certificate.
	SignInCard(ctx context.Context, signer crypto.Signer, cert *x509.Certificate, workstation string) (api.SignIn, error)
	// SignInPassword answers a session straight away (the device token skipped the code) or a
	// challenge waiting for a one-time code.
	SignInPassword(ctx context.Context, identifiant string, password []byte, workstation, deviceToken string) (api.PasswordSignInResponse, error)
	SendOTP(ctx context.Context, challengeID, kind string) (sentTo string, err error)
	VerifyOTP(ctx context.Context, challengeID, code string, remember bool) (api.SignIn, error)

	// The calls below act on the session of token.
	Session(ctx context.Context, token string) (api.Session, error)
	Profiles(ctx context.Context, token string) (api.Profiles, error)
	ChooseProfile(ctx context.Context, token, profileID string) (api.Session, error)
	LinkPhone(ctx context.Context, token string, req api.LinkPhoneRequest) (api.Session, error)
	PasswordPolicy(ctx context.Context) (api.PasswordPolicy, error)
	SetPassword(ctx context.Context, token string, old, new []byte, signOutOthers bool) (api.Session, error)
	// SetSecretQuestion sets the account's secret question (one of api.SecretQuestions) and
	// its answer (api.ActionSetSecretQuestion). The answer is a string as the client takes it.
	SetSecretQuestion(ctx context.Context, token, question, answer string) (api.Session, error)
	Channels(ctx context.Context, token string) ([]api.Channel, error)
	TestChannel(ctx context.Context, token, kind, value string) error
	ValidateChannel(ctx context.Context, token, kind, code string) ([]api.Channel, error)
	RemoveChannel(ctx context.Context, token, kind string) ([]api.Channel, error)
	SignOut(ctx context.Context, token string) error
	// Events streams the session's events until ctx ends or the stream breaks.
	Events(ctx context.Context, token string) (<-chan api.Event, error)
}

// KeyStore keeps secrets in the OS keyring.
type KeyStore interface {
	Get(key string) (string, error) // ErrNotFound when absent
	Set(key, value string) error
	Delete(key string) error
}

// Prefs keeps non-secret per-workstation choices (last phone, last profile).
type Prefs interface {
	Get(key string) string
	Set(key, value string) error
}

// Clock is time, injectable.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Browser opens a URL in the user's browser (Pro Santé Connect, e-CPS wallet page).
type Browser interface {
	Open(url string) error
}

// PSC is Pro Santé Connect through the portal (which is the OIDC client; the PSC client
// secret never reaches a workstation), in the portal API's own types: internal/portal/client's
// *Client is one as it is. Refusals are *api.Error (psc_denied, psc_expired, psc_cancelled,
// psc_acr_too_low, psc_unavailable, card_unknown for an unknown national id …). Optional: nil
// means the home screen's « Pro Santé Connect » is "not configured".
type PSC interface {
	// StartPSC pushes a sign-in request to the holder's e-CPS app (CIBA): the answer carries
	// the 2-digit binding code the phone shows, the expiry and PSC's poll interval.
	StartPSC(ctx context.Context, nationalID, workstation string) (api.PSCStart, error)
	// WaitPSC long-polls the outcome: pending (ask again) or done with the sign-in.
	WaitPSC(ctx context.Context, requestID string) (api.PSCWait, error)
	// CancelPSC stops a pending request on the portal.
	CancelPSC(ctx context.Context, requestID string) error
	// BrowserSignIn runs the browser flow: open shows the portal's page in the system browser
	// and the session comes back on a loopback redirect.
	BrowserSignIn(ctx context.Context, workstation string, open func(url string) error) (api.SignIn, error)
}

// ECPS guides an e-CPS activation with the card in the reader. Optional: nil for now.
type ECPS interface {
	Start(ctx context.Context, reader string) error
}

// Diagnoser runs the workstation checks of `cpx-agent doctor` (PC/SC service, readers, card,
// PKCS#11 module, portal) and returns the plain-text report for support, and whether every
// check passed. Optional: nil means the settings screen has no diagnostic ("not configured").
// The report must hold no secret.
type Diagnoser interface {
	Diagnose(ctx context.Context) (report string, ok bool)
}

// CardSerialReader is an optional extension of Token: the card's serial (EF.SN.ICC or the
// PKCS#11 token serial) read without a PIN. The engine uses it, when present, to tell the card
// that locked the session from another one.
type CardSerialReader interface {
	Serial(ctx context.Context, reader string) (string, error)
}

// CardIDReader is an optional extension of Token: the holder's national id (the
// authentication certificate's CN) read without a PIN. The engine pre-fills Pro Santé Connect
// with it when a CPx card is readable (a blocked card, say).
type CardIDReader interface {
	NationalID(ctx context.Context, reader string) (string, error)
}
