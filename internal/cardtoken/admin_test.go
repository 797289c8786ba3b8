package cardtoken

import (
	"context"
	"errors"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// TestPortRealCardAdmin: the engine's card self-service on the real stack (pcscd + vpcd +
// OpenSC against cpx-vcard), the PIV counters counting: OpenSC's PIV driver refuses a 4-digit
// new PIN (ErrNewPINLength, the PIN unchanged); a wrong current PIN is one try (two more
// block the card); a wrong PUK is a PUKError; the PUK and a new PIN unblock it.
func TestPortRealCardAdmin(t *testing.T) {
	vc := testrig.StartCard(t, realPort, "cpe")
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, vc.Reader))
	p := New(Options{Modules: []string{testrig.OpenSCModule(t)}})
	defer p.Close()
	ctx := context.Background()

	if err := p.ChangePIN(ctx, vc.Reader, []byte(vcard.DefaultPIN), []byte("5678")); !errors.Is(err, agent.ErrNewPINLength) ||
		agent.MessageKey(err) != agent.KeyNewPINLength {
		t.Fatalf("4-digit new PIN through OpenSC PIV: %v (key %s)", err, agent.MessageKey(err))
	}
	var pe *agent.PINError
	if err := p.ChangePIN(ctx, vc.Reader, []byte("9999"), []byte("5678")); !errors.As(err, &pe) {
		t.Fatalf("wrong current PIN: %v", err)
	}
	// The wrong current PIN was counted: two more wrong PINs block the card.
	if _, err := p.Login(ctx, vc.Reader, []byte("9998")); !errors.As(err, &pe) {
		t.Fatalf("second wrong PIN: %v", err)
	}
	if _, err := p.Login(ctx, vc.Reader, []byte("9997")); !errors.Is(err, agent.ErrPINLocked) {
		t.Fatalf("third wrong PIN (the change's counted): %v", err)
	}
	var puk *agent.PUKError
	if err := p.Unblock(ctx, vc.Reader, []byte("87654321"), []byte("4321")); !errors.As(err, &puk) {
		t.Fatalf("wrong PUK: %v", err)
	}
	t.Logf("PUK tries the token tells after a wrong PUK: %d (-1: not told)", puk.TriesLeft)
	if err := p.Unblock(ctx, vc.Reader, []byte(vcard.DefaultPUK), []byte("4321")); err != nil {
		t.Fatalf("unblock: %v", err)
	}
	cred, err := p.Login(ctx, vc.Reader, []byte("4321"))
	if err != nil {
		t.Fatalf("new PIN after unblock: %v", err)
	}
	cred.Close()
}
