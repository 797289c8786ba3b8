// Package deptest holds the architecture's dependency rules as a test (after tailscale's
// tstest/deptest): internal/ui renders state and sends intents and never reaches the card,
// the network or storage; only internal/ui and cmd/ may depend on the Fyne toolkit.
// It has no code of its own: `go test ./internal/deptest` runs `go list` over the module.
package deptest
