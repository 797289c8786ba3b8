package token

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// `cpx-agent card info` end to end: the binary against the virtual card through pcscd and
// OpenSC. CPX_AGENT_BIN may name a prebuilt binary; otherwise it is built once.

var agentBin struct {
	sync.Once
	path string
	err  error
	out  []byte
}

func buildAgent(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CPX_AGENT_BIN"); p != "" {
		return p
	}
	agentBin.Do(func() {
		dir, err := os.MkdirTemp("", "cpx-token-agent-")
		if err != nil {
			agentBin.err = err
			return
		}
		agentBin.path = filepath.Join(dir, "cpx-agent")
		cmd := exec.Command("go", "build", "-o", agentBin.path, "github.com/cpx-agent/cpx-agent/cmd/cpx-agent")
		agentBin.out, agentBin.err = cmd.CombinedOutput()
	})
	if agentBin.err != nil {
		t.Fatalf("go build cmd/cpx-agent: %v\n%s", agentBin.err, agentBin.out)
	}
	return agentBin.path
}

// runAgent runs the binary with stdin and returns stdout, stderr and the exit code.
func runAgent(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(buildAgent(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run cpx-agent %v: %v", args, err)
	return "", "", -1
}

func TestCardInfoCommand(t *testing.T) {
	useOpenSCConf(t)
	c := testrig.StartCard(t, tokenPort, "cpe")
	mod := testrig.OpenSCModule(t)
	base := []string{"card", "info", "--reader", c.Reader, "--module", mod}

	out, errOut, code := runAgent(t, "", append(base, "--json")...)
	if code != 0 {
		t.Fatalf("card info --json: exit %d\n%s", code, errOut)
	}
	var rep struct {
		Reader, ATR string
		CardSerial  string `json:"card_serial"`
		Token       TokenInfo
		Tries       PINTries
		Holder      struct {
			DisplayName string `json:"display_name"`
			NationalID  string `json:"national_id"`
		} `json:"holder"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("card info --json output %q: %v", out, err)
	}
	if rep.Reader != c.Reader || rep.ATR != card.FormatATR(c.ATR()) || rep.CardSerial != hex.EncodeToString(c.Serial()) {
		t.Errorf("reader/ATR/serial = %q %q %q; want %q %q %x", rep.Reader, rep.ATR, rep.CardSerial, c.Reader, card.FormatATR(c.ATR()), c.Serial())
	}
	if rep.Token.Label != "PIV_II" || rep.Token.Module != mod || rep.Token.Serial == "" || rep.Tries.Known {
		t.Errorf("token/tries = %+v %+v", rep.Token, rep.Tries)
	}
	if rep.Holder.DisplayName != "Camille MARTIN" || rep.Holder.NationalID != "3990000010/000000018" {
		t.Errorf("holder = %+v", rep.Holder)
	}

	for i, want := range []string{"Il vous reste 2 essais.", "Il vous reste 1 essai (dernier essai avant blocage)."} {
		out, errOut, code = runAgent(t, "9876\n", append(base, "--pin-stdin")...)
		if code != 3 || !strings.Contains(errOut, "Code PIN incorrect. "+want) {
			t.Fatalf("wrong PIN #%d: exit %d, stderr %q; want 3 and %q", i+1, code, errOut, want)
		}
		if strings.Contains(out+errOut, "9876") {
			t.Fatalf("the PIN shows in the output: %q %q", out, errOut)
		}
	}
	out, errOut, code = runAgent(t, vcard.DefaultPIN+"\n", append(base, "--pin-stdin")...)
	if code != 0 || !strings.Contains(out, "signature: verified") || !strings.Contains(out, "Camille MARTIN") {
		t.Fatalf("right PIN: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	t.Logf("card info --pin-stdin:\n%s", out)
	if _, _, code = runAgent(t, "", "card", "info", "extra"); code != 2 {
		t.Errorf("card info with an argument: exit %d, want 2", code)
	}
}
