// Package config holds cpx-agent's workstation settings: a system-wide JSON file deployed by
// IT staff (per-OS path), per-user overrides, CPX_AGENT_* environment overrides, and keys
// the system file locks against both. Nothing secret belongs here: keys that look like
// secrets are rejected (secrets go in the OS keyring). It also keeps Prefs, the non-secret
// per-user state (last phone, last profile).
//
// Precedence, lowest first: defaults, the system file (SystemPath), the user file
// (UserPath), the environment (CPX_AGENT_PORTAL_URL, CPX_AGENT_REMOVAL_POLICY, …). A key
// listed in the system file's "locked" list keeps its system (or default) value: user files
// and the environment cannot change it (the refusal is reported in Config.Warnings). An
// unknown key, a non-string value, or a key that looks like a secret is an error naming the
// file and the key. A system file as IT staff deploy it:
//
//	{
//	  "portal_url": "https://portail.si-samu.example",
//	  "portal_ca": "/etc/cpx-agent/portal-ca.pem",
//	  "pkcs11_module": "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so",
//	  "removal_policy": "lock",
//	  "otp_channels": "skippable",
//	  "locked": ["portal_url", "portal_ca", "removal_policy"]
//	}
//
// Fleet deployment (docs/deploy.md): the packages ship no system file, only an example;
// IT staff drop files in the system drop-in directory (/etc/cpx-agent/config.d/*.json, read in
// name order after config.json), which no package owns, so an upgrade never asks about them.
// On Windows the MSI's properties and the group policy come from the registry (machine.go).
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// Config is the effective workstation configuration.
type Config struct {
	PortalURL     string `json:"portal_url"`     // https://… of cpx-portal
	PKCS11Module  string `json:"pkcs11_module"`  // absolute path; "" = the catalogue's default
	RemovalPolicy string `json:"removal_policy"` // "lock" (default) or "signout"
	Language      string `json:"language"`       // "fr", "en" or "" (OS locale)
	Workstation   string `json:"workstation"`    // default: host name
	PortalCA      string `json:"portal_ca"`      // PEM bundle trusted for the portal; "" = system roots
	OTPChannels   string `json:"otp_channels"`   // "skippable" (default) or "required"
	SessionStore  string `json:"session_store"`  // "memory" (default) or "keyring"
	Reader        string `json:"reader"`         // PC/SC reader to watch (exact name); "" = every reader
	Autostart     string `json:"autostart"`      // "1" (default): the session's autostart opens the agent; "0": it does not

	// Locked lists the keys users cannot override (system file only).
	Locked []string `json:"locked,omitempty"`
	// Origin says where each key's value came from ("default", a file path, "env CPX_AGENT_…").
	Origin map[string]string `json:"-"`
	// Warnings are overrides that were refused (a locked key set by a user or the environment).
	Warnings []string `json:"-"`
}

// Keys of the configuration files (and, upper-cased with the CPX_AGENT_ prefix, of the
// environment).
const (
	KeyPortalURL     = "portal_url"
	KeyPKCS11Module  = "pkcs11_module"
	KeyRemovalPolicy = "removal_policy"
	KeyLanguage      = "language"
	KeyWorkstation   = "workstation"
	KeyPortalCA      = "portal_ca"
	KeyOTPChannels   = "otp_channels"
	KeySessionStore  = "session_store"
	KeyReader        = "reader"
	KeyAutostart     = "autostart"
	keyLocked        = "locked"
)

// EnvPrefix prefixes the environment overrides: CPX_AGENT_PORTAL_URL, …
const EnvPrefix = "CPX_AGENT_"

// field binds a key to its Config field.
var fields = []struct {
	key string
	ptr func(*Config) *string
}{
	{KeyPortalURL, func(c *Config) *string { return &c.PortalURL }},
	{KeyPKCS11Module, func(c *Config) *string { return &c.PKCS11Module }},
	{KeyRemovalPolicy, func(c *Config) *string { return &c.RemovalPolicy }},
	{KeyLanguage, func(c *Config) *string { return &c.Language }},
	{KeyWorkstation, func(c *Config) *string { return &c.Workstation }},
	{KeyPortalCA, func(c *Config) *string { return &c.PortalCA }},
	{KeyOTPChannels, func(c *Config) *string { return &c.OTPChannels }},
	{KeySessionStore, func(c *Config) *string { return &c.SessionStore }},
	{KeyReader, func(c *Config) *string { return &c.Reader }},
	{KeyAutostart, func(c *Config) *string { return &c.Autostart }},
}

// Keys lists the configuration keys.
func Keys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

func isKey(k string) bool { return slices.Contains(Keys(), k) }

// Errors of Load, for errors.Is.
var (
	ErrInvalid = errors.New("invalid configuration")
	ErrSecret  = errors.New("secrets do not belong in the configuration")
)

// Sources says where Load reads. Empty paths are skipped; Env nil means os.LookupEnv.
type Sources struct {
	System   string // the system file (SystemPath)
	DropIns  string // the system drop-in directory (SystemDropInDir): *.json read in name order
	User     string
	Env      func(string) (string, bool)
	Hostname func() (string, error)
	// Machine returns the OS's machine-wide layers read after the system files: on Windows
	// the values the MSI wrote (HKLM\Software\cpx-agent\Config) and the group policy
	// (HKLM\Software\Policies\cpx-agent). nil: none.
	Machine func() ([]Layer, error)
}

// DefaultSources are the per-OS system file and drop-in directory, the OS's machine layers
// (Windows registry), the per-user file and the process environment.
func DefaultSources() Sources {
	user, _ := UserPath()
	return Sources{System: SystemPath(), DropIns: SystemDropInDir(), User: user, Env: os.LookupEnv,
		Hostname: os.Hostname, Machine: machineLayers}
}

// Load reads the layers (defaults < system file < drop-ins < machine layers < user file <
// environment), then validates the result. Keys listed in a system layer's "locked" list, and
// every key a policy layer sets, keep their system value: the user file and the environment
// cannot change them.
func Load(src Sources) (Config, error) {
	if src.Env == nil {
		src.Env = os.LookupEnv
	}
	if src.Hostname == nil {
		src.Hostname = os.Hostname
	}
	c := defaults(src.Hostname)
	layers, err := systemLayers(src)
	if err != nil {
		return Config{}, err
	}
	for _, l := range layers {
		if err := c.applySystem(l); err != nil {
			return Config{}, err
		}
	}
	user, err := readLayer(src.User, false)
	if err != nil {
		return Config{}, err
	}
	c.apply(user, src.User, c.Locked)
	c.applyEnv(src.Env)
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func defaults(hostname func() (string, error)) Config {
	c := Config{RemovalPolicy: "lock", OTPChannels: "skippable", SessionStore: "memory", Autostart: "1", Origin: map[string]string{}}
	if h, err := hostname(); err == nil {
		c.Workstation = h
	}
	for _, k := range Keys() {
		c.Origin[k] = "default"
	}
	return c
}

// readLayer parses one file into raw values; a missing file is an empty layer.
func readLayer(path string, system bool) (map[string]json.RawMessage, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	var layer map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&layer); err != nil {
		return nil, fmt.Errorf("config: %s is not a JSON object: %v: %w", path, err, ErrInvalid)
	}
	if err := checkLayer(layer, path, system); err != nil {
		return nil, err
	}
	return layer, nil
}

// checkLayer refuses secret-looking, unknown and non-string keys, and "locked" outside the
// system layers.
func checkLayer(layer map[string]json.RawMessage, path string, system bool) error {
	keys := make([]string, 0, len(layer))
	for k := range layer {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case looksSecret(k):
			return fmt.Errorf("config: %s: key %q looks like a secret; keep secrets in the OS keyring: %w", path, k, ErrSecret)
		case k == keyLocked && !system:
			return fmt.Errorf("config: %s: %q is only allowed in the system file: %w", path, k, ErrInvalid)
		case k != keyLocked && !isKey(k):
			return fmt.Errorf("config: %s: unknown key %q (known: %s): %w", path, k, strings.Join(Keys(), ", "), ErrInvalid)
		}
		if k == keyLocked {
			continue
		}
		var s string
		if err := json.Unmarshal(layer[k], &s); err != nil {
			return fmt.Errorf("config: %s: %q must be a string: %w", path, k, ErrInvalid)
		}
	}
	return nil
}

// apply sets the layer's keys, refusing the locked ones with a warning.
func (c *Config) apply(layer map[string]json.RawMessage, origin string, locked []string) {
	for _, f := range fields {
		raw, ok := layer[f.key]
		if !ok {
			continue
		}
		if slices.Contains(locked, f.key) {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %s is locked by the system configuration; ignored", origin, f.key))
			continue
		}
		_ = json.Unmarshal(raw, f.ptr(c)) // checked by readLayer
		c.Origin[f.key] = origin
	}
}

func (c *Config) applyEnv(env func(string) (string, bool)) {
	for _, f := range fields {
		name := EnvPrefix + strings.ToUpper(f.key)
		v, ok := env(name)
		if !ok {
			continue
		}
		if slices.Contains(c.Locked, f.key) {
			c.Warnings = append(c.Warnings, fmt.Sprintf("env %s: %s is locked by the system configuration; ignored", name, f.key))
			continue
		}
		*f.ptr(c) = v
		c.Origin[f.key] = "env " + name
	}
}

// secretWords are parts of key names that mean a secret.
var secretWords = []string{"password", "passwd", "secret", "token", "pin", "puk", "private", "credential", "apikey", "api_key", "otp_code"}

// looksSecret tells whether a key name looks like it holds a secret ("pin" as a word, so
// that "pinned" or "spinner" pass).
func looksSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if w == "pin" || w == "puk" {
			for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
				if part == w {
					return true
				}
			}
			continue
		}
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
