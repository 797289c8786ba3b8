package cardtoken

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// The engine's card self-service (agent.CardAdmin) over internal/token, through the port's
// per-reader token and its deadlines. The engine zeroes the secrets it passes; each call works
// on its own copies, cleared when the card call returns (or when it never starts).

var _ agent.CardAdmin = (*Port)(nil)

// cardAdminToken is what the self-service needs of *token.Token.
type cardAdminToken interface {
	ChangePIN(old, new []byte) error
	Unblock(puk, new []byte) error
	PUKTries() (token.PINTries, error)
}

func (p *Port) ChangePIN(ctx context.Context, reader string, old, new []byte) error {
	return p.adminCall(ctx, reader, "change pin", old, new, func(t cardAdminToken, a, b []byte) error {
		return t.ChangePIN(a, b)
	})
}

func (p *Port) Unblock(ctx context.Context, reader string, puk, new []byte) error {
	return p.adminCall(ctx, reader, "unblock", puk, new, func(t cardAdminToken, a, b []byte) error {
		err := t.Unblock(a, b)
		if errors.Is(err, token.ErrPUKIncorrect) {
			left := -1
			if tries, terr := t.PUKTries(); terr == nil && tries.Known {
				left = tries.Left
			}
			return &agent.PUKError{TriesLeft: left}
		}
		return err
	})
}

// adminCall runs fn once on copies of the two secrets, then maps the errors the engine knows.
func (p *Port) adminCall(ctx context.Context, reader, op string, first, second []byte,
	fn func(cardAdminToken, []byte, []byte) error) error {
	// Whoever claims the copies first owns them (as in Login): the card call, which clears them
	// when it returns, or this caller when the call never started.
	a, b := append([]byte(nil), first...), append([]byte(nil), second...)
	var claimed atomic.Bool
	_, err := call(ctx, p, reader, op, p.loginTimeout, func(t cardToken) (struct{}, error) {
		if !claimed.CompareAndSwap(false, true) {
			return struct{}{}, errAbandoned
		}
		defer clear(a)
		defer clear(b)
		at, ok := t.(cardAdminToken)
		if !ok {
			return struct{}{}, agent.ErrUnblockUnsupported
		}
		return struct{}{}, fn(at, a, b)
	}, nil)
	if claimed.CompareAndSwap(false, true) {
		clear(a)
		clear(b)
	}
	return cardAdminErr(err)
}

// cardAdminErr maps the self-service errors of internal/token onto the engine's; the others
// went through EngineError already.
func cardAdminErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, token.ErrNewPINLength):
		return fmt.Errorf("%w: %w", agent.ErrNewPINLength, err)
	case errors.Is(err, token.ErrPUKFormat):
		return fmt.Errorf("%w: %w", agent.ErrPUKFormat, err)
	case errors.Is(err, token.ErrPUKLocked):
		return fmt.Errorf("%w: %w", agent.ErrPUKLocked, err)
	case errors.Is(err, token.ErrUnsupported):
		return fmt.Errorf("%w: %w", agent.ErrUnblockUnsupported, err)
	}
	return err
}
