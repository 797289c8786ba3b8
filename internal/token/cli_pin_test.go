package token

import (
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// `cpx-agent card pin change` and `cpx-agent card unblock` end to end: the binary against the
// virtual card through pcscd and OpenSC, the PIV counters counting the tries.
func TestCardPINChangeAndUnblockCommands(t *testing.T) {
	useOpenSCConf(t)
	c := testrig.StartCard(t, tokenPort, "cpe")
	flags := []string{"--reader", c.Reader, "--module", testrig.OpenSCModule(t)}
	change := append([]string{"card", "pin", "change"}, flags...)
	unblock := append([]string{"card", "unblock"}, flags...)
	info := append([]string{"card", "info", "--pin-stdin"}, flags...)
	run := func(stdin string, wantCode int, want string, args ...string) {
		t.Helper()
		out, errOut, code := runAgent(t, stdin, args...)
		if code != wantCode || !strings.Contains(out+errOut, want) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %d and %q", args[:3], code, out, errOut, wantCode, want)
		}
		for _, secret := range strings.Fields(stdin) {
			if strings.Contains(out+errOut, secret) {
				t.Fatalf("%v: a secret shows in the output: %q %q", args[:3], out, errOut)
			}
		}
	}

	// A wrong current PIN uses one try and says how many are left; never retried.
	run("9999\n5678\n5678\n", 3, "Code PIN incorrect. Il vous reste 2 essais.", change...)
	// Two different new PINs: nothing reaches the card.
	run(vcard.DefaultPIN+"\n5678\n5679\n", 2, "Les deux saisies du nouveau code PIN diffèrent", change...)
	// The right PIN, but OpenSC's PIV driver refuses a 4-digit new PIN: said in French, the PIN unchanged.
	run(vcard.DefaultPIN+"\n5678\n5678\n", 2, "refuse un nouveau code PIN de 4 chiffres", change...)
	run(vcard.DefaultPIN+"\n", 0, "signature: verified", info...)

	// Block the card, then unblock it with the PUK.
	run("9999\n", 3, "Il vous reste 2 essais.", info...)
	run("9999\n", 3, "Il vous reste 1 essai", info...)
	run("9999\n", 4, "Carte bloquée", info...)
	run("1234567\n4321\n4321\n", 2, "Le code de déblocage (PUK) comporte 8 chiffres", unblock...)
	run("87654321\n4321\n4321\n", 3, "Code de déblocage (PUK) incorrect.", unblock...)
	run(vcard.DefaultPUK+"\n4321\n4321\n", 0, "Carte débloquée", unblock...)
	run("4321\n", 0, "signature: verified", info...)
}
