package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"
)

// Validate checks every key and says which one is wrong, where it came from, and what is
// expected.
func (c Config) Validate() error {
	checks := []struct {
		key string
		err error
	}{
		{KeyPortalURL, checkPortalURL(c.PortalURL)},
		{KeyPKCS11Module, checkPath(c.PKCS11Module)},
		{KeyPortalCA, checkPath(c.PortalCA)},
		{KeyRemovalPolicy, oneOf(c.RemovalPolicy, "lock", "signout")},
		{KeyLanguage, oneOf(c.Language, "", "fr", "en")},
		{KeyOTPChannels, oneOf(c.OTPChannels, "skippable", "required")},
		{KeySessionStore, oneOf(c.SessionStore, "memory", "keyring")},
		{KeyWorkstation, checkWorkstation(c.Workstation)},
		{KeyAutostart, oneOf(c.Autostart, "1", "0")},
	}
	for _, ch := range checks {
		if ch.err != nil {
			origin := c.Origin[ch.key]
			if origin == "" {
				origin = "default"
			}
			return fmt.Errorf("config: %s (from %s): %w: %w", ch.key, origin, ch.err, ErrInvalid)
		}
	}
	return nil
}

func checkPortalURL(s string) error {
	if s == "" {
		return fmt.Errorf("not set; IT staff set it in %s (see %s)", SystemDropInDir(), ExamplePath())
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not carry a user or password: %w", ErrSecret)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil // development portal on this machine
		}
		return fmt.Errorf("%q: plain http is only allowed to localhost; use https", s)
	}
	return fmt.Errorf("%q: scheme must be https", s)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkPath(p string) error {
	if p == "" {
		return nil
	}
	if !filepath.IsAbs(p) {
		return fmt.Errorf("%q must be an absolute path", p)
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %q", v, allowed)
}

func checkWorkstation(w string) error {
	switch {
	case strings.TrimSpace(w) == "":
		return fmt.Errorf("empty (and the host name is unknown)")
	case len(w) > 64:
		return fmt.Errorf("longer than 64 bytes")
	case strings.ContainsFunc(w, func(r rune) bool { return unicode.IsControl(r) || r == '/' || r == '\\' }):
		return fmt.Errorf("%q has control characters or slashes", w)
	}
	return nil
}
