package api

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Codes of the password rules Evaluate checks (also the portal's violation codes).
const (
	RuleMinLength = "min_length"
	RuleLower     = "lower"
	RuleUpper     = "upper"
	RuleLetter    = "letter"
	RuleDigit     = "digit"
	RuleSpecial   = "special"
	RuleMaxLength = "max_length"
)

// DefaultMaxPasswordLength is the longest password, in characters, when the policy sets none.
const DefaultMaxPasswordLength = 128

// PasswordRule is one rule of a policy and whether a password satisfies it.
type PasswordRule struct {
	Code string // Rule*
	N    int    // the length of RuleMinLength and RuleMaxLength
	OK   bool
}

// Evaluate checks pw against the policy's length and character-class rules, in display
// order: minimum length, the classes required (lower, upper, letter, digit, special), maximum
// length (which also refuses invalid UTF-8). Lengths count characters (runes). It is the one
// evaluator of these rules: the portal applies it (with its own common-password and
// personal-information rules on top), the agent's checklist shows it.
func (p PasswordPolicy) Evaluate(pw []byte) []PasswordRule {
	var lower, upper, letter, digit, special bool
	for _, r := range string(pw) {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
		special = special || p.IsSpecial(r)
	}
	n, max := utf8.RuneCount(pw), p.MaxLength
	if max <= 0 {
		max = DefaultMaxPasswordLength
	}
	out := []PasswordRule{{Code: RuleMinLength, N: p.MinLength, OK: n >= p.MinLength}}
	for _, c := range []struct {
		on   bool
		code string
		ok   bool
	}{{p.RequireLower, RuleLower, lower}, {p.RequireUpper, RuleUpper, upper}, {p.RequireLetter, RuleLetter, letter},
		{p.RequireDigit, RuleDigit, digit}, {p.RequireSpecial, RuleSpecial, special}} {
		if c.on {
			out = append(out, PasswordRule{Code: c.code, OK: c.ok})
		}
	}
	return append(out, PasswordRule{Code: RuleMaxLength, N: max, OK: n <= max && utf8.Valid(pw)})
}

// IsSpecial reports whether r counts as a special character under the policy: one of
// Specials when set, else anything but a letter, a digit, a space or a control character.
func (p PasswordPolicy) IsSpecial(r rune) bool {
	if p.Specials != "" {
		return strings.ContainsRune(p.Specials, r)
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !unicode.IsControl(r) &&
		r != utf8.RuneError
}
