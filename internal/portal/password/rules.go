package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
)

// Stable violation codes, also the Rule codes of the live checklist. The length and class
// rules are api.PasswordPolicy.Evaluate's.
const (
	CodeMinLength = api.RuleMinLength
	CodeMaxLength = api.RuleMaxLength
	CodeLower     = api.RuleLower
	CodeUpper     = api.RuleUpper
	CodeLetter    = api.RuleLetter
	CodeDigit     = api.RuleDigit
	CodeSpecial   = api.RuleSpecial
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

// Rules returns the policy's checklist, in display order: api.PasswordPolicy.Evaluate's
// length and class rules, the common-password rule before the maximum length. The
// personal-information rule is not in it (it needs CheckContext): Check adds it.
func (p Policy) Rules() []Rule {
	wire := p.API(0)
	var rs []Rule
	for _, r := range wire.Evaluate(nil) {
		if r.Code == CodeMaxLength && p.RefuseCommon {
			rs = append(rs, Rule{CodeCommon, "Pas un mot de passe courant", "Not a common password",
				func(pw []byte) bool { return !IsCommon(pw) }})
		}
		fr, en := p.labels(r)
		code := r.Code
		rs = append(rs, Rule{code, fr, en, func(pw []byte) bool { return ruleOK(wire.Evaluate(pw), code) }})
	}
	return rs
}

// labels are the French and English sentences of an evaluated rule.
func (p Policy) labels(r api.PasswordRule) (fr, en string) {
	switch r.Code {
	case CodeMinLength:
		return fmt.Sprintf("Au moins %d caractères", r.N), fmt.Sprintf("At least %d characters", r.N)
	case CodeMaxLength:
		return fmt.Sprintf("Au plus %d caractères", r.N), fmt.Sprintf("At most %d characters", r.N)
	case CodeLower:
		return "Au moins une minuscule", "At least one lower-case letter"
	case CodeUpper:
		return "Au moins une majuscule", "At least one upper-case letter"
	case CodeLetter:
		return "Au moins une lettre", "At least one letter"
	case CodeDigit:
		return "Au moins un chiffre", "At least one digit"
	case CodeSpecial:
		if p.Specials != "" {
			return "Au moins un caractère spécial parmi " + p.Specials, "At least one special character among " + p.Specials
		}
		return "Au moins un caractère spécial (exemple : @ # & _ *)", "At least one special character (for example @ # & _ *)"
	}
	return r.Code, r.Code
}

func ruleOK(rs []api.PasswordRule, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return r.OK
		}
	}
	return false
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
