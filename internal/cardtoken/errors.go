package cardtoken

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// EngineError maps internal/token's errors onto the engine's (the original stays wrapped), so
// that agent.MessageKey names them: the port's callers and the command line use it alike.
func EngineError(err error) error {
	var pe *token.PINError
	switch {
	case errors.Is(err, token.ErrPINLocked):
		return fmt.Errorf("%w: %w", agent.ErrPINLocked, err)
	case errors.As(err, &pe):
		left := pe.TriesLeft
		if left < 0 && (pe.Tries.Low || pe.Tries.Final) {
			left = pe.Tries.Estimate(3)
		}
		return &agent.PINError{TriesLeft: left}
	case errors.Is(err, token.ErrPINFormat):
		return fmt.Errorf("%w: %w", agent.ErrPINFormat, err)
	case errors.Is(err, token.ErrTokenRemoved), errors.Is(err, token.ErrNoToken):
		return fmt.Errorf("%w: %w", agent.ErrCardRemoved, err)
	case errors.Is(err, token.ErrModuleMissing):
		return fmt.Errorf("%w: %w", agent.ErrModuleMissing, err)
	}
	return err
}

// credential is the one *token.Key → agent.Credential adapter (the key itself is the
// crypto.Signer, so the portal client sees its CanPSS method).
type credential struct{ k *token.Key }

func (c credential) Signer() crypto.Signer          { return c.k }
func (c credential) Certificate() *x509.Certificate { return c.k.Certificate() }
func (c credential) Close() error                   { return c.k.Close() }
