package api

import "time"

// PSCStartRequest starts a Pro Santé Connect sign-in pushed to the holder's e-CPS app (CIBA).
// NationalID is the holder's national id as PSC knows it ("8"+RPPS, or a staff id with a slash).
type PSCStartRequest struct {
	NationalID  string `json:"national_id"`
	Workstation string `json:"workstation"`
}

// PSCStart is the portal's answer: RequestID (a secret of the agent: sent back in bodies only),
// the 2-digit BindingCode the phone shows, when the request expires and PSC's poll interval.
type PSCStart struct {
	RequestID   string    `json:"request_id"`
	BindingCode string    `json:"binding_code"`
	ExpiresAt   time.Time `json:"expires_at"`
	Interval    int       `json:"interval"` // seconds
}

// PSCRequest names a pending CIBA sign-in (wait, cancel).
type PSCRequest struct {
	RequestID string `json:"request_id"`
}

// PSC sign-in states in PSCWait.
const (
	PSCPending = "pending"
	PSCDone    = "done"
)

// PSCWait answers a long poll: pending (ask again) or done with the sign-in. A refusal is an
// error answer with its code (psc_denied, psc_expired …).
type PSCWait struct {
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
	SignIn    *SignIn   `json:"sign_in,omitempty"`
}

// PSCRedeemRequest redeems the one-time handoff code of the browser flow with the verifier
// whose S256 challenge the agent gave when it opened the browser.
type PSCRedeemRequest struct {
	Code     string `json:"code"`
	Verifier string `json:"verifier"`
}
