package vcard_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// interopPort is this package's vpcd port (docs/architecture.md).
const interopPort = 35966

// tool runs an OpenSC command line tool with conf and returns its combined output.
func tool(t *testing.T, conf string, name string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s missing: apt-get install opensc (or run .ci/rig.sh up)", name)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "OPENSC_CONF="+conf)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func p11(t *testing.T, conf string, args ...string) (string, error) {
	t.Helper()
	return tool(t, conf, "pkcs11-tool", append([]string{"--module", testrig.OpenSCModule(t)}, args...)...)
}

func mustP11(t *testing.T, conf string, args ...string) string {
	t.Helper()
	out, err := p11(t, conf, args...)
	if err != nil {
		t.Fatalf("pkcs11-tool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestOpenSCSeesCard checks the ATR, the driver OpenSC picks and the PKCS#11 token.
func TestOpenSCSeesCard(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cps")
	conf := testrig.OpenSCConfOnly(t, c.Reader)

	// pcsc_scan (pcsc-tools) shows the reader with a card and its ATR.
	out, err := tool(t, conf, "pcsc_scan", "-c", "-n", "-t", "1")
	if !pcscScanShows(out, c.Reader, fmt.Sprintf("% X", vcard.DefaultATR())) {
		t.Fatalf("pcsc_scan does not show the card in %q: %v\n%s", c.Reader, err, out)
	}
	out, err = tool(t, conf, "opensc-tool", "--reader", c.Reader, "--atr")
	if err != nil || !strings.Contains(out, strings.ToLower(hexColons(vcard.DefaultATR()))) {
		t.Fatalf("opensc-tool --atr: %v\n%s", err, out)
	}
	out, err = tool(t, conf, "opensc-tool", "--reader", c.Reader, "--name")
	if err != nil || !strings.Contains(out, "Personal Identity Verification Card") {
		t.Fatalf("opensc-tool --name: OpenSC did not pick its PIV driver: %v\n%s", err, out)
	}
	out = mustP11(t, conf, "-L")
	// OpenSC 0.23 labels the token with the CN of the first certificate, but cannot read it
	// from an IGC-Santé subject (a multi-valued RDN CN+SN+GN): the label stays "PIV_II". The
	// token serial is the end of the CHUID GUID: the last 8 bytes of EF.SN.ICC.
	wantSerial := strings.ToUpper(hex.EncodeToString(c.Serial()[4:]))
	for _, want := range []string{c.Reader, "token label        : PIV_II", "serial num         : " + wantSerial, "pin min/max        : 4/8"} {
		if !strings.Contains(strings.ToUpper(out), strings.ToUpper(want)) {
			t.Fatalf("pkcs11-tool -L lacks %q:\n%s", want, out)
		}
	}
	out = mustP11(t, conf, "-O")
	for _, want := range []string{"Public Key Object; RSA 2048 bits", "Certificate Object; type = X.509 cert", "ID:         01"} {
		if !strings.Contains(out, want) {
			t.Fatalf("pkcs11-tool -O lacks %q:\n%s", want, out)
		}
	}
	out = mustP11(t, conf, "--login", "--pin", vcard.DefaultPIN, "-O", "--type", "privkey")
	for _, want := range []string{"Private Key Object; RSA", "label:      PIV AUTH key", "ID:         01"} {
		if !strings.Contains(out, want) {
			t.Fatalf("pkcs11-tool -O lacks %q:\n%s", want, out)
		}
	}
}

// TestPKCS11Sign signs with pkcs11-tool (PKCS#1 v1.5 raw, SHA-256, PSS) and verifies in Go.
func TestPKCS11Sign(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cpe")
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	pub := c.Certificate().PublicKey.(*rsa.PublicKey)
	dir := t.TempDir()
	msg := filepath.Join(dir, "msg")
	data := []byte("cpx-agent vcard interop")
	if err := os.WriteFile(msg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(data)
	for _, m := range []struct {
		mech   string
		verify func(sig []byte) error
	}{
		{"RSA-PKCS", func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.Hash(0), data, sig) }},
		{"SHA256-RSA-PKCS", func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) }},
		{"SHA256-RSA-PKCS-PSS", func(sig []byte) error { return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, nil) }},
	} {
		sigPath := filepath.Join(dir, m.mech+".sig")
		mustP11(t, conf, "--login", "--pin", vcard.DefaultPIN, "--sign", "-m", m.mech, "-i", msg, "-o", sigPath)
		sig, err := os.ReadFile(sigPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.verify(sig); err != nil {
			t.Fatalf("%s signature from the card does not verify: %v", m.mech, err)
		}
	}
}

// TestPINLockUnlock blocks the PIN through PKCS#11 and unblocks it with the PUK.
func TestPINLockUnlock(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cps")
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	blockPIN(t, conf)
	if out := mustP11(t, conf, "-T"); !strings.Contains(out, "user PIN locked") {
		t.Fatalf("token not locked after 3 wrong PINs:\n%s", out)
	}
	if out, err := p11(t, conf, "--unlock-pin", "--puk", "87654321", "--new-pin", "4321"); err == nil || !strings.Contains(out, "CKR_PIN_INCORRECT") {
		t.Fatalf("unlock with a wrong PUK: %v\n%s", err, out)
	}
	mustP11(t, conf, "--unlock-pin", "--puk", vcard.DefaultPUK, "--new-pin", "4321")
	if out := mustP11(t, conf, "-T"); strings.Contains(out, "locked") {
		t.Fatalf("token still locked after unblock:\n%s", out)
	}
	mustP11(t, conf, "--login", "--pin", "4321", "--list-objects", "--type", "privkey")
}

// blockPIN logs in with wrong PINs until the card blocks, checking each PKCS#11 answer.
func blockPIN(t *testing.T, conf string) {
	t.Helper()
	for i, want := range []string{"CKR_PIN_INCORRECT", "CKR_PIN_INCORRECT", "CKR_PIN_LOCKED", "CKR_PIN_LOCKED"} {
		out, err := p11(t, conf, "--login", "--pin", "0000", "--list-objects", "--type", "privkey")
		if err == nil || !strings.Contains(out, want) {
			t.Fatalf("wrong PIN #%d: want %s, got %v\n%s", i+1, want, err, out)
		}
	}
}

// TestBlockedCardStaysBlocked restarts a blocked card from its state directory.
func TestBlockedCardStaysBlocked(t *testing.T) {
	state := t.TempDir()
	var serial []byte
	t.Run("block", func(t *testing.T) {
		c := testrig.StartCard(t, interopPort, "adeli", testrig.WithStateDir(state))
		serial = c.Serial()
		blockPIN(t, testrig.OpenSCConfOnly(t, c.Reader))
	})
	c := testrig.StartCard(t, interopPort, "adeli", testrig.WithStateDir(state))
	if !bytes.Equal(c.Serial(), serial) {
		t.Fatalf("restarted card has serial %X, want %X", c.Serial(), serial)
	}
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	if out, err := p11(t, conf, "--login", "--pin", vcard.DefaultPIN, "--list-objects"); err == nil || !strings.Contains(out, "CKR_PIN_LOCKED") {
		t.Fatalf("right PIN on the restarted blocked card: %v\n%s", err, out)
	}
}

// TestRemoval checks that a removed card leaves the reader empty for pcscd and OpenSC.
func TestRemoval(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cpe2")
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	out, _ := tool(t, conf, "pcsc_scan", "-c", "-n", "-t", "1")
	if !pcscScanShows(out, c.Reader, fmt.Sprintf("% X", vcard.DefaultATR())) {
		t.Fatalf("pcsc_scan does not show the card in %q before removal:\n%s", c.Reader, out)
	}
	c.RemoveAndWait(t)
	out, _ = tool(t, conf, "pcsc_scan", "-c", "-n", "-t", "1")
	if pcscScanShows(out, c.Reader, fmt.Sprintf("% X", vcard.DefaultATR())) || !strings.Contains(out, ": "+c.Reader+"\n") {
		t.Fatalf("pcsc_scan after removal still shows a card in %q (or no such reader):\n%s", c.Reader, out)
	}
	out, err := tool(t, conf, "opensc-tool", "--reader", c.Reader, "--atr")
	if err == nil || !strings.Contains(out, "Card not present") {
		t.Fatalf("opensc-tool on the empty reader: %v\n%s", err, out)
	}
	out = mustP11(t, conf, "-L")
	if !regexp.MustCompile(regexp.QuoteMeta(c.Reader) + `\s+\(empty\)`).MatchString(out) {
		t.Fatalf("pkcs11-tool -L does not show the reader empty:\n%s", out)
	}
}

// pcscScanShows reports whether pcsc_scan's output has reader with a card inserted and atr.
func pcscScanShows(out, reader, atr string) bool {
	for _, block := range strings.Split(out, " Reader ") {
		if strings.Contains(block, ": "+reader+"\n") && strings.Contains(block, "Card inserted") &&
			strings.Contains(block, "ATR: "+atr) {
			return true
		}
	}
	return false
}

func hexColons(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = hex.EncodeToString([]byte{x})
	}
	return strings.Join(parts, ":")
}

// TestCPS3ATRNotPIV documents why PKCS#11 tests use the CPS4 ATR: OpenSC's IAS-ECC driver
// claims a CPS3 ATR ("IAS/ECC CPx"), fails on this PIV-only card, and no token appears.
func TestCPS3ATRNotPIV(t *testing.T) {
	atr, err := vcard.ParseATR("cps3")
	if err != nil {
		t.Fatal(err)
	}
	c := testrig.StartCard(t, interopPort, "cps", testrig.WithATR(atr))
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	out, err := tool(t, conf, "opensc-tool", "--reader", c.Reader, "--name")
	if err == nil || strings.Contains(out, "Personal Identity Verification Card") {
		t.Fatalf("opensc-tool --name with a CPS3 ATR: %v\n%s", err, out)
	}
	out = mustP11(t, conf, "-L")
	if strings.Contains(out, "token label") {
		t.Fatalf("a token appeared for a CPS3 ATR:\n%s", out)
	}
}

// TestPINChangeThroughOpenSC: the card takes 4-8 digits, but OpenSC's PIV driver refuses a
// new PIN shorter than 6 digits (FIPS 201) before sending anything: CKR_PIN_LEN_RANGE.
func TestPINChangeThroughOpenSC(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cpe")
	conf := testrig.OpenSCConfOnly(t, c.Reader)
	if out, err := p11(t, conf, "--change-pin", "--pin", vcard.DefaultPIN, "--new-pin", "5678"); err == nil || !strings.Contains(out, "CKR_PIN_LEN_RANGE") {
		t.Fatalf("4-digit new PIN through OpenSC: %v\n%s", err, out)
	}
	mustP11(t, conf, "--change-pin", "--pin", vcard.DefaultPIN, "--new-pin", "567890")
	if out, err := p11(t, conf, "--login", "--pin", vcard.DefaultPIN, "-O"); err == nil || !strings.Contains(out, "CKR_PIN_INCORRECT") {
		t.Fatalf("old PIN after change: %v\n%s", err, out)
	}
	mustP11(t, conf, "--login", "--pin", "567890", "-O", "--type", "privkey")
}

// TestSOLoginInitPIN unblocks with C_Login(CKU_SO, PUK) + C_InitPIN: the card accepts VERIFY
// of key 81 (PUK) and RESET RETRY COUNTER P1=02 after it.
func TestSOLoginInitPIN(t *testing.T) {
	c := testrig.StartCard(t, interopPort, "cps")
	conf := testrig.OpenSCConfOnlyStyle(t, c.Reader, testrig.UnblockSOInitPIN)
	blockPIN(t, conf)
	if out, err := p11(t, conf, "--init-pin", "--login", "--login-type", "so", "--so-pin", "11111111", "--new-pin", "4321"); err == nil || !strings.Contains(out, "CKR_PIN_INCORRECT") {
		t.Fatalf("SO login with a wrong PUK: %v\n%s", err, out)
	}
	mustP11(t, conf, "--init-pin", "--login", "--login-type", "so", "--so-pin", vcard.DefaultPUK, "--new-pin", "4321")
	mustP11(t, conf, "--login", "--pin", "4321", "-O", "--type", "privkey")
}
