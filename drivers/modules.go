package drivers

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed modules.json
var modulesJSON []byte

// ModuleEntry is one PKCS#11 module of the catalogue (modules.json).
type ModuleEntry struct {
	Name   string `json:"name"`
	OS     string `json:"os"`   // GOOS
	Arch   string `json:"arch"` // GOARCH; empty for any
	Path   string `json:"path"`
	Vendor string `json:"vendor"`
	Notes  string `json:"notes"`
}

type catalogue struct {
	Modules []ModuleEntry `json:"modules"`
}

// parseModules decodes a catalogue and checks every entry names an OS and a path.
func parseModules(data []byte) ([]ModuleEntry, error) {
	var c catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("drivers: modules.json: %w", err)
	}
	for i, m := range c.Modules {
		if m.OS == "" || m.Path == "" || m.Name == "" {
			return nil, fmt.Errorf("drivers: modules.json: entry %d lacks name, os or path", i)
		}
	}
	return c.Modules, nil
}

// allModules is the embedded catalogue, checked once at start-up: a broken file is a build
// defect, and the tests catch it.
var allModules = func() []ModuleEntry {
	m, err := parseModules(modulesJSON)
	if err != nil {
		panic(err)
	}
	return m
}()

// Modules returns the catalogue's modules for goos (runtime.GOOS), in the order to try them:
// Cryptolib CPS first, then OpenSC. Entries for every architecture of that OS are included.
func Modules(goos string) []ModuleEntry {
	var out []ModuleEntry
	for _, m := range allModules {
		if m.OS == goos {
			out = append(out, m)
		}
	}
	return out
}

// ModulePaths returns the paths to try for goos/goarch: configured paths first (empty ones
// skipped), then the catalogue's entries for that OS whose arch is goarch or any. Duplicates
// are dropped, keeping the first place.
func ModulePaths(goos, goarch string, configured ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range configured {
		add(p)
	}
	for _, m := range Modules(goos) {
		if m.Arch == "" || m.Arch == goarch {
			add(m.Path)
		}
	}
	return out
}

// ModuleByPath returns the catalogue entry with that path, if any.
func ModuleByPath(path string) (ModuleEntry, bool) {
	for _, m := range allModules {
		if m.Path == path {
			return m, true
		}
	}
	return ModuleEntry{}, false
}
