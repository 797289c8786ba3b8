package testrig

import (
	"bytes"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/vcard"
	"github.com/ebfe/scard"
)

// testPort is the spare vpcd port of docs/architecture.md, used by these tests only.
const testPort = 35972

func TestReaderForPort(t *testing.T) {
	for port, want := range map[int]string{
		35963: "Virtual PCD 00 00",
		35964: "Virtual PCD 00 01",
		35965: "Virtual PCD 35965 00 00",
		35966: "Virtual PCD 35965 00 01",
		35971: "Virtual PCD 35971 00 00",
		35972: "Virtual PCD 35971 00 01",
	} {
		if got := ReaderForPort(port); got != want {
			t.Errorf("ReaderForPort(%d) = %q, want %q", port, got, want)
		}
	}
}

// TestStartCard inserts a card, reads its ATR through pcscd, removes and reinserts it.
func TestStartCard(t *testing.T) {
	c := StartCard(t, testPort, "cpe")
	if !bytes.HasPrefix(c.Serial(), []byte{0x80, 0x25, 0x00, 0x00, 0x01}) {
		t.Fatalf("serial %X lacks the ANS issuer bytes", c.Serial())
	}
	if got := readATR(t, c.Reader); !bytes.Equal(got, vcard.DefaultATR()) {
		t.Fatalf("ATR through pcscd %X, want %X", got, vcard.DefaultATR())
	}
	c.RemoveAndWait(t)
	if c.Inserted() {
		t.Fatal("card still inserted after RemoveAndWait")
	}
	c.InsertAndWait(t)
	if got := readATR(t, c.Reader); !bytes.Equal(got, vcard.DefaultATR()) {
		t.Fatalf("ATR after reinsertion %X", got)
	}
}

func readATR(t *testing.T, reader string) []byte {
	t.Helper()
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Release()
	card, err := ctx.Connect(reader, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		t.Fatalf("connect %q: %v", reader, err)
	}
	defer card.Disconnect(scard.LeaveCard)
	st, err := card.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st.Atr
}

func TestModulesAndDSN(t *testing.T) {
	if p := OpenSCModule(t); p == "" {
		t.Fatal("empty OpenSC module path")
	}
	if p := SoftHSMModule(t); p == "" {
		t.Fatal("empty SoftHSM module path")
	}
	t.Setenv("CPX_OPENSC_MODULE", "/nonexistent/opensc-pkcs11.so")
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { recover() }()
		OpenSCModule(ft)
	}()
	if !ft.failed {
		t.Fatal("OpenSCModule accepted a missing module")
	}
}

// fatalRecorder records Fatalf instead of failing the enclosing test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
