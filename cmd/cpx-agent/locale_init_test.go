package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// S2-10: under LANG=C.UTF-8 (servers, ssh) a CLI command prints no Fyne locale error. The
// child is this test binary, which links Fyne as cpx-agent does.
func TestNoFyneLocaleNoiseUnderCUTF8(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "POSIX.utf8", "fr_FR.UTF-8"} {
		raw, _ := json.Marshal([]string{"login", "card", "--help"})
		cmd := exec.Command(os.Args[0], "-test.run=^TestCardWatchHelperProcess$")
		env := []string{"CPX_AGENT_HELPER=" + string(raw), "LANG=" + lang}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "LC_") && !strings.HasPrefix(e, "LANG") && !strings.HasPrefix(e, "CPX_AGENT_HELPER=") {
				env = append(env, e)
			}
		}
		cmd.Env = env
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("LANG=%s: %v\n%s", lang, err, errb.String())
		}
		if strings.Contains(errb.String(), "Fyne error") || !strings.Contains(errb.String(), "Codes de sortie") {
			t.Fatalf("LANG=%s: stderr %q", lang, errb.String())
		}
	}
}
