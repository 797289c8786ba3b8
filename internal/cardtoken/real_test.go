package cardtoken

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// realPort is the vpcd port of the real-stack test (shared, serialised by testrig.LockPort;
// docs/architecture.md).
const realPort = 35972

// TestPortRealCard runs the port on the real stack: a virtual CPx card in a vpcd reader seen
// by pcscd, OpenSC's PKCS#11 module restricted to that reader, EF.SN.ICC over PC/SC. Tries
// left, holder name and serial without a PIN; a wrong PIN is pin_incorrect; the right PIN gives
// a credential whose key signs for its certificate; a dropped token is opened again; nothing
// after Close.
func TestPortRealCard(t *testing.T) {
	vc := testrig.StartCard(t, realPort, "cpe")
	t.Setenv("OPENSC_CONF", testrig.OpenSCConfOnly(t, vc.Reader))
	p := New(Options{Modules: []string{testrig.OpenSCModule(t)}})
	ctx := context.Background()

	if n, err := p.TriesLeft(ctx, vc.Reader); err != nil || n != 3 {
		t.Fatalf("tries left: %d, %v", n, err)
	}
	want := vc.Holder.Cert.Subject.CommonName
	if id, err := cps.FromCertificate(vc.Holder.Cert); err == nil {
		want = id.DisplayName()
	}
	if name, err := p.HolderName(ctx, vc.Reader); err != nil || name != want {
		t.Fatalf("holder name: %q, %v; want %q", name, err, want)
	}
	if id, err := p.NationalID(ctx, vc.Reader); err != nil || id != vc.Holder.Cert.Subject.CommonName || !agent.ValidNationalID(id) {
		t.Fatalf("national id: %q, %v; want %q", id, err, vc.Holder.Cert.Subject.CommonName)
	}
	if sn, err := p.Serial(ctx, vc.Reader); err != nil || sn == "" {
		t.Fatalf("serial: %q, %v", sn, err)
	}
	var pe *agent.PINError // OpenSC does not say how many tries are left after the first miss
	if _, err := p.Login(ctx, vc.Reader, []byte("0000")); !errors.As(err, &pe) || agent.MessageKey(err) != agent.KeyPINIncorrect {
		t.Fatalf("wrong PIN: %v, want pin_incorrect", err)
	}
	pin := []byte("1234")
	cred, err := p.Login(ctx, vc.Reader, pin)
	if err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	if string(pin) != "1234" {
		t.Fatal("Login changed the caller's PIN buffer (it works on its own copy)")
	}
	if !cred.Certificate().Equal(vc.Holder.Cert) {
		t.Fatal("the credential's certificate is not the card's")
	}
	digest := sha256.Sum256([]byte("cardtoken real-stack test"))
	sig, err := cred.Signer().Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if err := rsa.VerifyPKCS1v15(vc.Holder.Cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("the card's signature does not verify with its certificate: %v", err)
	}
	if err := cred.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := p.TriesLeft(ctx, vc.Reader); err != nil || n != 3 {
		t.Fatalf("tries left after the right PIN: %d, %v", n, err)
	}

	p.Drop(vc.Reader) // the card left and came back: the token is opened again
	if n, err := p.TriesLeft(ctx, vc.Reader); err != nil || n != 3 {
		t.Fatalf("tries left after Drop: %d, %v", n, err)
	}
	p.Close()
	if _, err := p.TriesLeft(ctx, vc.Reader); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}
