package ui

import "github.com/cpx-agent/cpx-agent/internal/portal/api"

// rule is one line of the password checklist.
type rule struct {
	Key   string // message key "pwd.rule.<Key>"
	N     int    // the number in the sentence (minimum or maximum length)
	Chars string // the allowed special characters, for "special_among"
	OK    bool
}

// santePolicy is the portal's "santé" rules (12 characters, four classes), shown while the
// portal's own policy is not known.
var santePolicy = api.PasswordPolicy{Name: "sante", MinLength: 12, RequireLower: true, RequireUpper: true,
	RequireDigit: true, RequireSpecial: true}

// checkPassword evaluates pw against the policy with the portal's own evaluator
// (api.PasswordPolicy.Evaluate), rule by rule, in the order shown, then the confirmation. A
// nil policy falls back to santePolicy. The maximum length is shown only once broken.
func checkPassword(p *api.PasswordPolicy, pw, confirm string) []rule {
	if p == nil {
		p = &santePolicy
	}
	var rules []rule
	for _, r := range p.Evaluate([]byte(pw)) {
		out := rule{Key: r.Code, N: r.N, OK: r.OK}
		switch {
		case r.Code == api.RuleMinLength:
			out.Key = "length"
		case r.Code == api.RuleMaxLength && r.OK:
			continue
		case r.Code == api.RuleSpecial && p.Specials != "":
			out.Key, out.Chars = "special_among", p.Specials
		}
		rules = append(rules, out)
	}
	return append(rules, rule{Key: "match", OK: pw != "" && pw == confirm})
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
