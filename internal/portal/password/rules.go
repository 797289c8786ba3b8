package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
)

// Stable violation codes, also the Rule codes of the live checklist.
const (
	CodeMinLength = "min_length"
	CodeMaxLength = "max_length"
	CodeLower     = "lower"
	CodeUpper     = "upper"
	CodeLetter    = "letter"
	CodeDigit     = "digit"
	CodeSpecial   = "special"
	CodeCommon    = "common"
	CodePersonal  = "personal"
)

// Rule is one line of the checklist shown while the user types a new password.
type Rule struct {
	Code    string
	LabelFR string
	LabelEN string
	test    func([]byte) bool
}

// Satisfied reports whether pw satisfies the rule.
func (r Rule) Satisfied(pw []byte) bool { return r.test(pw) }

// Violation is a rule a password breaks.
type Violation struct {
	Code      string
	MessageFR string
	MessageEN string
}

// CheckContext is what Check needs to refuse personal passwords.
type CheckContext struct {
	Identifiant string
	GivenName   string
	FamilyName  string
}

// Rules returns the policy's checklist, in display order. The personal-information rule is
// not in it (it needs CheckContext): Check adds it.
func (p Policy) Rules() []Rule {
	n, max := p.MinLength, p.maxLength()
	rs := []Rule{{CodeMinLength, fmt.Sprintf("Au moins %d caractères", n), fmt.Sprintf("At least %d characters", n),
		func(pw []byte) bool { return utf8.RuneCount(pw) >= n }}}
	add := func(on bool, code, fr, en string, f func(rune) bool) {
		if on {
			rs = append(rs, Rule{code, fr, en, func(pw []byte) bool { return hasRune(pw, f) }})
		}
	}
	add(p.RequireLower, CodeLower, "Au moins une minuscule", "At least one lower-case letter", unicode.IsLower)
	add(p.RequireUpper, CodeUpper, "Au moins une majuscule", "At least one upper-case letter", unicode.IsUpper)
	add(p.RequireLetter, CodeLetter, "Au moins une lettre", "At least one letter", isLetter)
	add(p.RequireDigit, CodeDigit, "Au moins un chiffre", "At least one digit", unicode.IsDigit)
	if p.Specials != "" {
		add(p.RequireSpecial, CodeSpecial, "Au moins un caractère spécial parmi "+p.Specials,
			"At least one special character among "+p.Specials, p.isSpecial)
	} else {
		add(p.RequireSpecial, CodeSpecial, "Au moins un caractère spécial (exemple : @ # & _ *)",
			"At least one special character (for example @ # & _ *)", p.isSpecial)
	}
	if p.RefuseCommon {
		rs = append(rs, Rule{CodeCommon, "Pas un mot de passe courant", "Not a common password",
			func(pw []byte) bool { return !IsCommon(pw) }})
	}
	rs = append(rs, Rule{CodeMaxLength, fmt.Sprintf("Au plus %d caractères", max), fmt.Sprintf("At most %d characters", max),
		func(pw []byte) bool { return utf8.RuneCount(pw) <= max && utf8.Valid(pw) }})
	return rs
}

// Check returns every rule pw breaks, nil when it is acceptable. Messages never contain pw.
func (p Policy) Check(pw []byte, c CheckContext) []Violation {
	var vs []Violation
	for _, r := range p.Rules() {
		if !r.Satisfied(pw) {
			vs = append(vs, Violation{r.Code, r.LabelFR, r.LabelEN})
		}
	}
	if p.RefusePersonal && containsPersonal(pw, c) {
		vs = append(vs, Violation{CodePersonal,
			"Ne doit contenir ni votre identifiant, ni votre nom, ni votre prénom",
			"Must not contain your identifiant, family name or given name"})
	}
	return vs
}

// containsPersonal reports whether pw contains, case- and accent-insensitively, the
// identifiant or any part of 3 characters or more of the names.
func containsPersonal(pw []byte, c CheckContext) bool {
	s := ident.Fold(string(pw))
	var parts []string
	for _, name := range []string{c.Identifiant, c.GivenName, c.FamilyName} {
		f := ident.Fold(name)
		parts = append(parts, f)
		parts = append(parts, strings.FieldsFunc(f, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})...)
	}
	for _, part := range parts {
		if utf8.RuneCountInString(part) >= 3 && strings.Contains(s, part) {
			return true
		}
	}
	return false
}
