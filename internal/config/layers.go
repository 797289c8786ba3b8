package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Layer is one machine-wide source of settings: a system file, a drop-in, or (Windows) a
// registry key. Every key a Policy layer sets is locked: the user file and the environment
// cannot change it (group policy is enforced, not a default).
type Layer struct {
	Origin string                     // file path or registry key, shown by doctor --bundle
	Values map[string]json.RawMessage // key → JSON string ("locked" → JSON list)
	Policy bool
}

// StringLayer is a layer of plain string values (the registry's REG_SZ); empty values are left
// out (an MSI property not given on the command line).
func StringLayer(origin string, values map[string]string, policy bool) Layer {
	l := Layer{Origin: origin, Values: map[string]json.RawMessage{}, Policy: policy}
	for k, v := range values {
		if v == "" {
			continue
		}
		b, _ := json.Marshal(v)
		l.Values[strings.ToLower(k)] = b
	}
	return l
}

// systemLayers reads the system file, then the drop-ins in name order, then the machine layers.
func systemLayers(src Sources) ([]Layer, error) {
	var out []Layer
	files := []string{src.System}
	dropIns, err := dropInFiles(src.DropIns)
	if err != nil {
		return nil, err
	}
	for _, p := range append(files, dropIns...) {
		v, err := readLayer(p, true)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, Layer{Origin: p, Values: v})
		}
	}
	if src.Machine == nil {
		return out, nil
	}
	machine, err := src.Machine()
	if err != nil {
		return nil, err
	}
	for _, l := range machine {
		if err := checkLayer(l.Values, l.Origin, true); err != nil {
			return nil, err
		}
	}
	return append(out, machine...), nil
}

// dropInFiles lists dir/*.json in name order (10-site.json before 20-reader.json); other names
// (a dpkg leftover, an editor's backup) are not read. A missing directory has none.
func dropInFiles(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// applySystem applies one system layer: its values (a later layer wins over an earlier one), its
// "locked" list, and for a policy layer a lock on each key it sets.
func (c *Config) applySystem(l Layer) error {
	if raw, ok := l.Values[keyLocked]; ok {
		var locked []string
		if err := json.Unmarshal(raw, &locked); err != nil {
			return fmt.Errorf("config: %s: locked must be a list of keys: %w", l.Origin, ErrInvalid)
		}
		for _, k := range locked {
			if !isKey(k) {
				return fmt.Errorf("config: %s: locked key %q is not a configuration key: %w", l.Origin, k, ErrInvalid)
			}
			c.lock(k)
		}
	}
	c.apply(l.Values, l.Origin, nil)
	if l.Policy {
		for k := range l.Values {
			if isKey(k) {
				c.lock(k)
			}
		}
	}
	return nil
}

func (c *Config) lock(k string) {
	if !slices.Contains(c.Locked, k) {
		c.Locked = append(c.Locked, k)
		sort.Strings(c.Locked)
	}
}
