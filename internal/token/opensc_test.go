package token

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// Token tests on OpenSC with the virtual card (PIV applet) on this package's vpcd port.

const tokenPort = 35965

// openSCConf: no file cache (each test's card has another certificate), one slot per card,
// and PIN unblock as Unblock does it (C_Login(CKU_SO, PUK) then C_InitPIN).
const openSCConf = `app default { framework pkcs15 { use_file_caching = no; } }
app opensc-pkcs11 { pkcs11 {
	max_virtual_slots = 64;
	slots_per_card = 1;
	user_pin_unblock_style = %s;
} }
`

func useOpenSCConf(t *testing.T) string {
	t.Helper()
	return useOpenSCConfStyle(t, "init_pin_in_so_session")
}

// useOpenSCConfStyle points OPENSC_CONF at a test configuration with that PIN unblock style
// (read when the module is initialised: every Token of the test must be closed before).
func useOpenSCConfStyle(t *testing.T, unblockStyle string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opensc.conf")
	writeFile(t, path, []byte(fmt.Sprintf(openSCConf, unblockStyle)))
	t.Setenv("OPENSC_CONF", path)
	return path
}

// openSCCard starts the card and opens its token, a missing Cryptolib tried first.
func openSCCard(t *testing.T) (*testrig.Card, *Token) {
	t.Helper()
	useOpenSCConf(t)
	c := testrig.StartCard(t, tokenPort, "cpe")
	tok := openToken(t, Options{Modules: []string{"/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so", testrig.OpenSCModule(t)}, Reader: c.Reader})
	return c, tok
}

// toolField reads "name : value" of the slot showing reader in `pkcs11-tool -L` output.
func toolField(t *testing.T, out, reader, name string) string {
	t.Helper()
	i := strings.Index(out, "): "+reader+"\n")
	if i < 0 {
		t.Fatalf("pkcs11-tool -L does not list %q:\n%s", reader, out)
	}
	block := out[i:]
	if j := strings.Index(block[1:], "\nSlot "); j >= 0 {
		block = block[:j+1]
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*: (.*)$`).FindStringSubmatch(block)
	if m == nil {
		t.Fatalf("no %q for %q in:\n%s", name, reader, block)
	}
	return strings.TrimSpace(m[1])
}

func TestOpenSCInfoAndSignatureAgreeWithPkcs11Tool(t *testing.T) {
	useOpenSCConf(t)
	c := testrig.StartCard(t, tokenPort, "cpe")
	mod := testrig.OpenSCModule(t)
	// pkcs11-tool first, while this process holds no session.
	list := run(t, "pkcs11-tool", "--module", mod, "-L")
	dir := t.TempDir()
	in, sigFile := filepath.Join(dir, "challenge"), filepath.Join(dir, "sig")
	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, challenge)
	run(t, "pkcs11-tool", "--module", mod, "--slot-description", c.Reader, "--login", "--pin", vcard.DefaultPIN,
		"--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "-i", in, "-o", sigFile)
	toolSig, err := os.ReadFile(sigFile)
	if err != nil {
		t.Fatal(err)
	}

	tok := openToken(t, Options{Modules: []string{mod}, Reader: c.Reader})
	info := tok.Info()
	if info.SlotDescription != c.Reader || info.Module != mod || !strings.Contains(info.Library, "OpenSC") {
		t.Errorf("Info() = %+v", info)
	}
	if got := toolField(t, list, c.Reader, "token label"); got != info.Label {
		t.Errorf("label: pkcs11-tool %q, ours %q", got, info.Label)
	}
	if got := toolField(t, list, c.Reader, "serial num"); got != info.Serial || got == "" {
		t.Errorf("serial: pkcs11-tool %q, ours %q", got, info.Serial)
	}
	if got := toolField(t, list, c.Reader, "token model"); got != info.Model {
		t.Errorf("model: pkcs11-tool %q, ours %q", got, info.Model)
	}
	cert, err := tok.Certificate()
	if err != nil || !cert.Equal(c.Holder.Cert) {
		t.Fatalf("Certificate() without PIN = %v, %v; want the card's", cert, err)
	}
	digest := sha256.Sum256(challenge)
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], toolSig); err != nil {
		t.Errorf("pkcs11-tool's signature does not verify against our certificate: %v", err)
	}
	ourSig, err := login(t, tok, vcard.DefaultPIN).Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if string(ourSig) != string(toolSig) { // PKCS#1 v1.5 is deterministic
		t.Errorf("our signature differs from pkcs11-tool's on the same challenge")
	}
}

func TestOpenSCLoginSignTLSIdentity(t *testing.T) {
	_, tok := openSCCard(t)
	k := login(t, tok, vcard.DefaultPIN)
	checkSignatures(t, k)
	checkTLSBoth(t, k)
	id, err := k.Identity()
	if err != nil || id.DisplayName() != "Camille MARTIN" || id.FINESS != "990000010" {
		t.Errorf("Identity() = %+v, %v", id, err)
	}
}

// OpenSC only: SoftHSM2 never locks a PIN.
func TestOpenSCWrongPINsLockThenPUKUnblocks(t *testing.T) {
	_, tok := openSCCard(t)
	var pe *PINError
	_, err := tok.Login([]byte("9999"))
	if !errors.As(err, &pe) || pe.Tries.Final || pe.Tries.Locked {
		t.Fatalf("1st wrong PIN: %v (%+v), want *PINError without FINAL_TRY", err, pe)
	}
	t.Logf("after 1 wrong PIN: %+v (OpenSC's PIV driver raises no COUNT_LOW)", pe.Tries)
	if got := pe.Tries.AfterFailure(3); got != 2 {
		t.Errorf("AfterFailure(3) after 1 wrong PIN = %d, want 2", got)
	}
	if _, err = tok.Login([]byte("9998")); !errors.As(err, &pe) || pe.TriesLeft != 1 {
		t.Fatalf("2nd wrong PIN: %v, want *PINError with 1 try left", err)
	}
	tries, err := tok.TriesLeft()
	if err != nil || !tries.Known || tries.Count() != 1 || !tries.Final {
		t.Fatalf("TriesLeft() before the 3rd attempt = %+v, %v; want exactly 1 (FINAL_TRY)", tries, err)
	}
	if _, err = tok.Login([]byte("9997")); !errors.Is(err, ErrPINLocked) {
		t.Fatalf("3rd wrong PIN: %v, want ErrPINLocked", err)
	}
	if tries, err = tok.TriesLeft(); err != nil || !tries.Locked || tries.Count() != 0 {
		t.Errorf("TriesLeft() after lock = %+v, %v", tries, err)
	}
	if _, err = tok.Login([]byte(vcard.DefaultPIN)); !errors.Is(err, ErrPINLocked) {
		t.Fatalf("right PIN on a locked card: %v, want ErrPINLocked", err)
	}
	if err = tok.Unblock([]byte("87654321"), []byte("4321")); !errors.Is(err, ErrPUKIncorrect) {
		t.Fatalf("Unblock(wrong PUK) = %v, want ErrPUKIncorrect", err)
	}
	if err = tok.Unblock([]byte(vcard.DefaultPUK), []byte("4321")); err != nil {
		t.Fatalf("Unblock(PUK): %v", err)
	}
	if tries, err = tok.TriesLeft(); err != nil || tries.Locked || tries.Final || tries.Estimate(3) != 3 {
		t.Errorf("TriesLeft() after unblock = %+v, %v; want a full counter", tries, err)
	}
	checkSignatures(t, login(t, tok, "4321"))
}

// After wrong PINs and then the right one, the counter is full again (OpenSC alone would
// keep reporting FINAL_TRY until the module is initialised again).
func TestOpenSCTriesAfterGoodPIN(t *testing.T) {
	_, tok := openSCCard(t)
	_, _ = tok.Login([]byte("9999"))
	_, _ = tok.Login([]byte("9998"))
	if tr, err := tok.TriesLeft(); err != nil || !tr.Final {
		t.Fatalf("after 2 wrong PINs: %+v, %v; want FINAL_TRY", tr, err)
	}
	k := login(t, tok, vcard.DefaultPIN)
	if tr, err := tok.TriesLeft(); err != nil || tr.Final || tr.Estimate(3) != 3 {
		t.Errorf("after the right PIN: %+v, %v; want a full counter", tr, err)
	}
	_ = k.Close()
	var pe *PINError
	if _, err := tok.Login([]byte("9997")); !errors.As(err, &pe) || pe.Tries.Final || pe.Tries.AfterFailure(3) != 2 {
		t.Errorf("a wrong PIN after the reset = %v (%+v), want 2 tries left", err, pe)
	}
}

func TestOpenSCPINFormatBurnsNoTry(t *testing.T) {
	_, tok := openSCCard(t)
	for _, pin := range []string{"12a4", "123", "123456", "12 4"} {
		if _, err := tok.Login([]byte(pin)); !errors.Is(err, ErrPINFormat) {
			t.Fatalf("Login(%q) = %v, want ErrPINFormat", pin, err)
		}
	}
	// Had the four malformed PINs reached the card, it would be locked; one real wrong PIN
	// now must leave more than one try.
	var pe *PINError
	if _, err := tok.Login([]byte("9999")); !errors.As(err, &pe) || pe.Tries.Final || pe.Tries.Locked {
		t.Fatalf("wrong PIN after malformed ones: %v, want *PINError with tries to spare", err)
	}
	checkSignatures(t, login(t, tok, vcard.DefaultPIN))
}

// OpenSC's PIV driver refuses a new PIN shorter than 6 characters (PIV's rule) before any
// APDU: a 4-digit CPx PIN cannot be changed through it. The old PIN must survive intact.
func TestOpenSCChangePIN(t *testing.T) {
	_, tok := openSCCard(t)
	var pe *PINError
	if err := tok.ChangePIN([]byte("9999"), []byte("5678")); !errors.As(err, &pe) {
		t.Fatalf("ChangePIN(wrong old) = %v, want *PINError", err)
	}
	err := tok.ChangePIN([]byte(vcard.DefaultPIN), []byte("5678"))
	var rv pkcs11.Error
	if !errors.Is(err, ErrNewPINLength) || !errors.Is(err, ErrPINFormat) || !errors.As(err, &rv) || rv != pkcs11.CKR_PIN_LEN_RANGE {
		t.Fatalf("ChangePIN(right old, 4-digit new) on OpenSC PIV = %v, want CKR_PIN_LEN_RANGE (ErrPINFormat)", err)
	}
	tries, err := tok.TriesLeft()
	if err != nil || tries.Final || tries.Locked {
		t.Errorf("tries after the refused change = %+v, %v", tries, err)
	}
	checkSignatures(t, login(t, tok, vcard.DefaultPIN))
}

func TestOpenSCRemovalMidSessionThenReinsertion(t *testing.T) {
	c, tok := openSCCard(t)
	k := login(t, tok, vcard.DefaultPIN)
	d := sha256.Sum256([]byte("before removal"))
	if _, err := k.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	c.RemoveAndWait(t)
	if _, err := k.Sign(rand.Reader, d[:], crypto.SHA256); !errors.Is(err, ErrTokenRemoved) {
		t.Fatalf("Sign after removal = %v, want ErrTokenRemoved", err)
	}
	if _, err := tok.TriesLeft(); !errors.Is(err, ErrTokenRemoved) {
		t.Errorf("TriesLeft while removed = %v, want ErrTokenRemoved", err)
	}
	if _, err := tok.Login([]byte(vcard.DefaultPIN)); !errors.Is(err, ErrTokenRemoved) {
		t.Errorf("Login while removed = %v, want ErrTokenRemoved", err)
	}
	c.InsertAndWait(t)
	if _, err := k.Sign(rand.Reader, d[:], crypto.SHA256); !errors.Is(err, ErrTokenRemoved) {
		t.Errorf("old Key after reinsertion = %v, want ErrTokenRemoved (PIN must be asked again)", err)
	}
	checkSignatures(t, login(t, tok, vcard.DefaultPIN))
}

func TestOpenSCReaderMatching(t *testing.T) {
	c, _ := openSCCard(t)
	mod := testrig.OpenSCModule(t)
	if _, err := Open(t.Context(), Options{Modules: []string{mod}, Reader: testrig.ReaderForPort(tokenPort + 1)}); !errors.Is(err, ErrNoToken) {
		t.Errorf("Open(empty reader) = %v, want ErrNoToken", err)
	}
	cut := strings.TrimSuffix(c.Reader, " 00") // a cut reader name still finds the slot
	tok := openToken(t, Options{Modules: []string{mod}, Reader: cut})
	if tok.Info().SlotDescription != c.Reader {
		t.Errorf("Open(%q) chose %q", cut, tok.Info().SlotDescription)
	}
}

// Unblock under OpenSC's other unblock styles: set_pin_in_unlogged_session (the test rig's
// default, C_SetPIN(PUK, new) on a locked PIN) works; "none" (Debian's default) cannot
// unblock and must not cost a try; a PIN that is not locked is never "unblocked" by C_SetPIN.
func TestOpenSCUnblockStyles(t *testing.T) {
	lock := func(t *testing.T, tok *Token) {
		t.Helper()
		for _, pin := range []string{"9999", "9998", "9997"} {
			_, _ = tok.Login([]byte(pin))
		}
		if tr, err := tok.TriesLeft(); err != nil || !tr.Locked {
			t.Fatalf("PIN not locked after 3 wrong tries: %+v, %v", tr, err)
		}
	}
	open := func(t *testing.T, style string) *Token {
		t.Helper()
		useOpenSCConfStyle(t, style)
		c := testrig.StartCard(t, tokenPort, "cpe")
		return openToken(t, Options{Modules: []string{testrig.OpenSCModule(t)}, Reader: c.Reader})
	}
	t.Run("set_pin_in_unlogged_session", func(t *testing.T) {
		tok := open(t, "set_pin_in_unlogged_session")
		lock(t, tok)
		if err := tok.Unblock([]byte(vcard.DefaultPUK), []byte("4321")); err != nil {
			t.Fatalf("Unblock: %v", err)
		}
		checkSignatures(t, login(t, tok, "4321"))
	})
	t.Run("none", func(t *testing.T) {
		tok := open(t, "none")
		lock(t, tok)
		if err := tok.Unblock([]byte(vcard.DefaultPUK), []byte("4321")); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Unblock with style none = %v, want ErrUnsupported", err)
		}
		if _, err := tok.Login([]byte("4321")); !errors.Is(err, ErrPINLocked) {
			t.Errorf("Login after a refused unblock = %v, want ErrPINLocked", err)
		}
	})
	t.Run("not locked", func(t *testing.T) {
		tok := open(t, "set_pin_in_unlogged_session")
		if err := tok.Unblock([]byte(vcard.DefaultPUK), []byte("4321")); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Unblock of an unlocked PIN = %v, want ErrUnsupported", err)
		}
		checkSignatures(t, login(t, tok, vcard.DefaultPIN))
	})
}
