package config

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// Registry keys of the machine layers, under HKEY_LOCAL_MACHINE. MachineKey holds what the MSI
// properties (PORTAL_URL=… on the msiexec line) wrote; PolicyKey is the group policy of the
// shipped ADMX template (cpx-agent.admx), which wins and locks what it sets.
const (
	MachineKey = `Software\cpx-agent\Config`
	PolicyKey  = `Software\Policies\cpx-agent`
)

// MachineSources names the machine layers for reports (doctor --json), in the order read.
func MachineSources() []string {
	return []string{`HKLM\` + MachineKey, `HKLM\` + PolicyKey + " (policy)"}
}

func machineLayers() ([]Layer, error) {
	var out []Layer
	for _, k := range []struct {
		path   string
		policy bool
	}{{MachineKey, false}, {PolicyKey, true}} {
		vals, err := readRegistry(k.path)
		if err != nil {
			return nil, err
		}
		if len(vals) > 0 {
			out = append(out, StringLayer(`HKLM\`+k.path, vals, k.policy))
		}
	}
	return out, nil
}

// readRegistry reads the string values of HKLM\path; a missing key has none. A value of another
// type is an error naming it (a policy set by hand with the wrong type).
func readRegistry(path string) (map[string]string, error) {
	key, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: open HKLM\\%s: %w", path, err)
	}
	defer key.Close()
	names, err := key.ReadValueNames(0)
	if err != nil {
		return nil, fmt.Errorf("config: list HKLM\\%s: %w", path, err)
	}
	out := map[string]string{}
	for _, n := range names {
		v, _, err := key.GetStringValue(n)
		if err != nil {
			return nil, fmt.Errorf("config: HKLM\\%s\\%s must be a string (REG_SZ): %w", path, n, ErrInvalid)
		}
		out[n] = v
	}
	return out, nil
}
