// Package cardtoken is the CPx card's PKCS#11 side as the flow engine sees it: Port
// implements agent.Token (tries left, holder name, PIN login) and agent.CardSerialReader over
// internal/token (PKCS#11) and internal/card (EF.SN.ICC over PC/SC).
//
// A card call can hang — a card or reader that stops answering, a PKCS#11 module waiting on
// its own lock — and neither PKCS#11 nor PC/SC can cancel it. So:
//
//   - one token per reader, opened once for every concurrent caller (single flight), never
//     with a caller's context, and dropped when the card leaves (Drop, told by the monitor);
//   - every call runs in its own goroutine with a deadline (IdentifyTimeout, LoginTimeout):
//     past it the caller gets agent.ErrCardNotResponding, the reader is marked stuck (later
//     callers fail at once) until the call returns, and whatever the call returns late is
//     released by its goroutine;
//   - a caller whose flow moved on (context cancelled) neither opens a token nor marks the
//     reader stuck: it may have waited on a call another caller started;
//   - the PIN is copied and the copy cleared after C_Login; a caller that gave up before the
//     call started clears it and C_Login never runs, so no try is spent on a PIN the operator
//     was told failed;
//   - the port's lock is never held across a card call, so Drop and Close never wait on a
//     card (Close waits at most CloseWait for idle tokens to close).
//
// internal/token's errors are mapped onto the engine's (agent.ErrPINLocked, *agent.PINError,
// agent.ErrCardRemoved, …) in one place (errors.go), and a logged-in *token.Key is handed to
// the engine as an agent.Credential by one adapter.
package cardtoken
