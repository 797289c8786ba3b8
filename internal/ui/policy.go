package ui

import (
	"unicode"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// rule is one line of the password checklist.
type rule struct {
	Key string // message key "pwd.rule.<Key>"
	N   int    // the number in the sentence (minimum length)
	OK  bool
}

// checkPassword evaluates pw against the policy, rule by rule, in the order shown. A nil
// policy falls back to the portal's "santé" rules (12 characters, four classes).
func checkPassword(p *api.PasswordPolicy, pw, confirm string) []rule {
	if p == nil {
		p = &api.PasswordPolicy{MinLength: 12, RequireLower: true, RequireUpper: true, RequireDigit: true, RequireSpecial: true}
	}
	var lower, upper, letter, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower, letter = true, true
		case unicode.IsUpper(r):
			upper, letter = true, true
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsSpace(r) && !unicode.IsControl(r):
			special = true
		}
	}
	rules := []rule{{Key: "length", N: p.MinLength, OK: len([]rune(pw)) >= p.MinLength}}
	add := func(on bool, key string, ok bool) {
		if on {
			rules = append(rules, rule{Key: key, OK: ok})
		}
	}
	add(p.RequireLower, "lower", lower)
	add(p.RequireUpper, "upper", upper)
	add(p.RequireLetter && !p.RequireLower && !p.RequireUpper, "letter", letter)
	add(p.RequireDigit, "digit", digit)
	add(p.RequireSpecial, "special", special)
	add(true, "match", pw != "" && pw == confirm)
	return rules
}

// allOK says whether every rule holds.
func allOK(rules []rule) bool {
	for _, r := range rules {
		if !r.OK {
			return false
		}
	}
	return true
}
