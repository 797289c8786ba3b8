package psc

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// RandomToken is 32 random bytes, base64url: states, nonces, request ids, handoff codes.
func RandomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// BindingCode draws the 2 digits (00–99) PSC shows on the phone (binding_message), uniformly
// (bytes ≥ 200 are drawn again).
func BindingCode() string {
	b := make([]byte, 1)
	for {
		rand.Read(b)
		if b[0] < 200 {
			return fmt.Sprintf("%02d", b[0]%100)
		}
	}
}
