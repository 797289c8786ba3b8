// Package config reads cpx-portal's configuration: a JSON file (every key optional) then
// environment overrides CPX_PORTAL_<KEY> (the key upper-cased, e.g. CPX_PORTAL_LISTEN).
// Durations are Go duration strings ("15m", "12h").
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Config is the portal's configuration. docs/portal.md documents every key.
type Config struct {
	Listen        string   `json:"listen"`
	DataDir       string   `json:"data_dir"`
	DatabaseDSN   string   `json:"database_dsn"`
	TLSCert       string   `json:"tls_cert"`
	TLSKey        string   `json:"tls_key"`
	ClientCA      string   `json:"client_ca"`
	ClientCRL     string   `json:"client_crl"`
	SessionIdle   Duration `json:"session_idle"`
	SessionMax    Duration `json:"session_max"`
	ExpiryWarning Duration `json:"expiry_warning"`
	SweepInterval Duration `json:"sweep_interval"`
	ShutdownGrace Duration `json:"shutdown_grace"`
	PasswordRules string   `json:"password_policy"`
	PasswordAge   int      `json:"password_max_age_days"`
	// MetricsListen serves /metrics over plain HTTP on its own address (e.g.
	// "127.0.0.1:9464"; "" : none). MetricsTokenFile holds a bearer token that also opens
	// /metrics on the API's port; without it /metrics is not on the API's port.
	MetricsListen    string `json:"metrics_listen"`
	MetricsTokenFile string `json:"metrics_token_file"`
	LogLevel         string `json:"log_level"`
	LogFormat        string `json:"log_format"`
	Dev              bool   `json:"dev"`
	Auth             Auth   `json:"auth"` // password + OTP sign-in (auth.go)
	PSC              PSC    `json:"psc"`  // Pro Santé Connect sign-in (psc.go)
}

// Defaults returns the configuration used for keys the file and environment leave out.
func Defaults() Config {
	return Config{
		Listen:        "127.0.0.1:8443",
		DataDir:       "/var/lib/cpx-portal",
		SessionIdle:   Duration(30 * time.Minute),
		SessionMax:    Duration(12 * time.Hour),
		ExpiryWarning: Duration(5 * time.Minute),
		SweepInterval: Duration(30 * time.Second),
		ShutdownGrace: Duration(10 * time.Second),
		PasswordRules: "sante",
		PasswordAge:   90, // seed 002: "Le mot de passe expire au terme de 90 jours"
		LogLevel:      "info",
		LogFormat:     "json",
	}
}

// Load reads path (skipped when "") over the defaults, then the environment.
func Load(path string, environ []string) (Config, error) {
	c := Defaults()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := c.applyEnv(environ); err != nil {
		return c, err
	}
	if c.PSC.On() {
		c.PSC = c.PSC.WithDefaults()
	}
	return c, c.Validate()
}

// applyEnv sets each field whose CPX_PORTAL_<JSON KEY> variable is present; the fields of a
// nested section take the section's key as a prefix (CPX_PORTAL_PSC_ISSUER).
func (c *Config) applyEnv(environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "CPX_PORTAL_") {
			env[k] = v
		}
	}
	return envFields(reflect.ValueOf(c).Elem(), "CPX_PORTAL_", env)
}

func envFields(rv reflect.Value, prefix string, env map[string]string) error {
	rt := rv.Type()
	for i := range rt.NumField() {
		name := prefix + strings.ToUpper(rt.Field(i).Tag.Get("json"))
		if rt.Field(i).Type.Kind() == reflect.Struct {
			if err := envFields(rv.Field(i), name+"_", env); err != nil {
				return err
			}
			continue
		}
		val, ok := env[name]
		if !ok {
			continue
		}
		if err := setField(rv.Field(i), val); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

func setField(f reflect.Value, val string) error {
	switch f.Interface().(type) {
	case Duration:
		d, err := time.ParseDuration(val)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(Duration(d)))
	case string:
		f.SetString(val)
	case []string:
		var l []string
		for _, v := range strings.Split(val, ",") {
			if v = strings.TrimSpace(v); v != "" {
				l = append(l, v)
			}
		}
		f.Set(reflect.ValueOf(l))
	case bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case float64:
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return err
		}
		f.SetFloat(n)
	case int:
		n, err := strconv.Atoi(val)
		if err != nil {
			return err
		}
		f.SetInt(int64(n))
	default:
		return errors.New("unsupported type")
	}
	return nil
}

// Validate checks the values make sense together.
func (c Config) Validate() error {
	switch {
	case c.Listen == "":
		return errors.New("config: listen is empty")
	case c.DatabaseDSN == "" && c.DataDir == "":
		return errors.New("config: data_dir or database_dsn is required")
	case c.SessionIdle <= 0 || c.SessionMax <= 0:
		return errors.New("config: session_idle and session_max must be positive")
	case c.SessionIdle > c.SessionMax:
		return errors.New("config: session_idle is longer than session_max")
	case c.SweepInterval <= 0:
		return errors.New("config: sweep_interval must be positive")
	case c.LogFormat != "json" && c.LogFormat != "text":
		return errors.New("config: log_format must be json or text")
	}
	if c.Dev && c.PSC.ClientID == "" {
		return nil // dev mode fills in the simulator's dev client (cpx-portal serve --dev)
	}
	return c.PSC.Validate()
}

// ValidateServe adds what serving needs beyond Validate (admin and migrate only need the
// database): the server certificate and the CA bundle of the cards.
func (c Config) ValidateServe() error {
	if c.TLSCert == "" || c.TLSKey == "" || c.ClientCA == "" {
		return errors.New("config: tls_cert, tls_key and client_ca are required (or dev mode)")
	}
	return nil
}

// Duration is a time.Duration written as a string in JSON.
type Duration time.Duration

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes "15m0s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "15m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"15m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
