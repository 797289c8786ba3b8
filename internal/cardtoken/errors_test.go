package cardtoken

import (
	"errors"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

func TestTokenErrorMapping(t *testing.T) {
	locked := &token.PINError{TriesLeft: 0, Tries: token.PINTries{Known: true, Left: 0, Locked: true}}
	cases := []struct {
		in   error
		want error
		key  string
	}{
		{&token.PINError{TriesLeft: -1, Tries: token.PINTries{Left: -1, Low: true}}, agent.ErrPINIncorrect, "pin_incorrect"},
		{token.ErrPINLocked, agent.ErrPINLocked, "pin_locked"},
		{token.ErrTokenRemoved, agent.ErrCardRemoved, "card_removed"},
		{token.ErrNoToken, agent.ErrCardRemoved, "card_removed"},
		{token.ErrModuleMissing, agent.ErrModuleMissing, "module_missing"},
		{token.ErrPINFormat, agent.ErrPINFormat, "pin_format"},
	}
	for _, c := range cases {
		got := EngineError(c.in)
		if !errors.Is(got, c.want) || agent.MessageKey(got) != c.key {
			t.Errorf("%v → %v (key %q)", c.in, got, agent.MessageKey(got))
		}
	}
	var pe *agent.PINError
	if !errors.As(EngineError(&token.PINError{TriesLeft: -1, Tries: token.PINTries{Left: -1, Low: true}}), &pe) || pe.TriesLeft != 2 {
		t.Errorf("COUNT_LOW → %+v, want 2 tries left", pe)
	}
	if errors.Is(locked, token.ErrPINLocked) && !errors.Is(EngineError(locked), agent.ErrPINLocked) {
		t.Errorf("last wrong PIN not mapped to locked")
	}
}
