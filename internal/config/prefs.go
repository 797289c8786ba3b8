package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// ErrPrefsCorrupt: the prefs file is not a JSON object of strings. It is left untouched.
var ErrPrefsCorrupt = errors.New("prefs file corrupt")

// Prefs is the non-secret per-user state (last phone, last profile) in a small JSON file,
// written atomically (temp file + rename), mode 0600. It implements agent.Prefs.
type Prefs struct {
	path string
	mu   sync.Mutex
	m    map[string]string
}

// OpenPrefs loads path (a missing file is empty prefs). A corrupt file is an error and is
// never overwritten, so nothing is lost by accident.
func OpenPrefs(path string) (*Prefs, error) {
	p := &Prefs{path: path, m: map[string]string{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return p, nil
	case err != nil:
		return nil, fmt.Errorf("config: read prefs %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &p.m); err != nil {
		return nil, fmt.Errorf("config: prefs %s: %v: %w", path, err, ErrPrefsCorrupt)
	}
	if p.m == nil {
		p.m = map[string]string{}
	}
	return p, nil
}

// Get returns the value of key ("" when unset).
func (p *Prefs) Get(key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[key]
}

// Set stores value under key and saves the file. Keys that look like secrets are refused.
func (p *Prefs) Set(key, value string) error {
	if key == "" {
		return fmt.Errorf("config: prefs: empty key: %w", ErrInvalid)
	}
	if looksSecret(key) {
		return fmt.Errorf("config: prefs: key %q looks like a secret; use the OS keyring: %w", key, ErrSecret)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old, had := p.m[key]
	p.m[key] = value
	if err := p.save(); err != nil {
		if had {
			p.m[key] = old
		} else {
			delete(p.m, key)
		}
		return err
	}
	return nil
}

// Keys lists the keys set, sorted.
func (p *Prefs) Keys() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.m))
	for k := range p.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (p *Prefs) save() error {
	b, err := json.MarshalIndent(p.m, "", "  ")
	if err != nil {
		return fmt.Errorf("config: prefs: %w", err)
	}
	dir := filepath.Dir(p.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config: prefs: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".prefs-*.json")
	if err != nil {
		return fmt.Errorf("config: prefs: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("config: prefs: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("config: prefs: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: prefs: %w", err)
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		return fmt.Errorf("config: prefs: save %s: %w", p.path, err)
	}
	return nil
}
