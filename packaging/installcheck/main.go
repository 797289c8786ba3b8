// Command installcheck reads `cpx-agent doctor --json` on stdin and checks what the clean-install
// test (.ci/test-install.sh) expects of an installed package: the version, no configuration
// error, and one setting's value and the file it came from.
//
//	cpx-agent doctor --json | installcheck -version 0.2.318 -key portal_url -value https://… -source /etc/cpx-agent/config.d/10-site.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type report struct {
	Version struct {
		Version string `json:"version"`
	} `json:"version"`
	Checks []json.RawMessage `json:"checks"`
	Config struct {
		Error  string `json:"error"`
		Values map[string]struct {
			Value  string `json:"value"`
			Source string `json:"source"`
		} `json:"values"`
	} `json:"config"`
}

func main() {
	version := flag.String("version", "", "expected version")
	key := flag.String("key", "", "configuration key to check")
	value := flag.String("value", "", "its expected value")
	source := flag.String("source", "", "its expected source")
	flag.Parse()
	var r report
	if err := json.NewDecoder(os.Stdin).Decode(&r); err != nil {
		fail("doctor --json is not JSON: %v", err)
	}
	switch {
	case r.Version.Version != *version:
		fail("version %q, want %q", r.Version.Version, *version)
	case r.Config.Error != "":
		fail("configuration error: %s", r.Config.Error)
	case len(r.Checks) == 0:
		fail("no checks in the report")
	}
	got := r.Config.Values[*key]
	if got.Value != *value || got.Source != *source {
		fail("%s = %q from %q, want %q from %q", *key, got.Value, got.Source, *value, *source)
	}
	fmt.Printf("doctor --json: version %s, no configuration error, %s from %s, %d checks\n", r.Version.Version, *key, got.Source, len(r.Checks))
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "installcheck: "+format+"\n", a...)
	os.Exit(1)
}
