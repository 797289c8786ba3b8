package password

import (
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Policy is a password rule set.
type Policy struct {
	Name           string
	MinLength      int // in characters (runes)
	MaxLength      int // in characters; 0 means 128
	RequireLower   bool
	RequireUpper   bool
	RequireLetter  bool
	RequireDigit   bool
	RequireSpecial bool
	// Specials lists the characters that count as special; empty means any character that is
	// neither a letter, a digit, a space nor a control character (api.PasswordPolicy.IsSpecial).
	Specials       string
	RefuseCommon   bool
	RefusePersonal bool
}

// NormSpecials are seed 001's "méta-caractères" (the scan reads "(1@#\$%'&)": the "1" is an
// exclamation mark read by the OCR, "\$" a Markdown-escaped dollar).
const NormSpecials = "!@#$%'&"

// Sante is the default preset (seed 003): at least 12 characters with a lower-case and an
// upper-case letter, a digit and a special character.
func Sante() Policy {
	return Policy{Name: "sante", MinLength: 12, RequireLower: true, RequireUpper: true,
		RequireDigit: true, RequireSpecial: true, RefuseCommon: true, RefusePersonal: true}
}

// Norm is seed 001's preset: at least 8 characters with a letter, a digit and one of
// NormSpecials.
func Norm() Policy {
	return Policy{Name: "norm", MinLength: 8, RequireLetter: true, RequireDigit: true,
		RequireSpecial: true, Specials: NormSpecials, RefuseCommon: true, RefusePersonal: true}
}

// Preset returns the preset called name ("sante" or "norm"); ok is false for another name.
func Preset(name string) (Policy, bool) {
	switch name {
	case "sante", "":
		return Sante(), true
	case "norm":
		return Norm(), true
	}
	return Policy{}, false
}

// API exports the policy's length and class rules (the ones api.PasswordPolicy.Evaluate
// applies, here and in the agent's live checklist); maxAgeDays is Config.MaxAge in days.
func (p Policy) API(maxAgeDays int) api.PasswordPolicy {
	return api.PasswordPolicy{Name: p.Name, MinLength: p.MinLength, RequireLower: p.RequireLower,
		RequireUpper: p.RequireUpper, RequireLetter: p.RequireLetter, RequireDigit: p.RequireDigit,
		RequireSpecial: p.RequireSpecial, Specials: p.Specials, MaxLength: p.MaxLength, MaxAgeDays: maxAgeDays}
}

// FromAPI rebuilds a Policy from its wire form, so that a client can run Rules() as the user
// types. The preset name restores what the wire form does not carry (the common-password and
// personal-information rules, and the special characters of a portal older than the field).
func FromAPI(a api.PasswordPolicy) Policy {
	p := Policy{Name: a.Name, MinLength: a.MinLength, MaxLength: a.MaxLength, RequireLower: a.RequireLower,
		RequireUpper: a.RequireUpper, RequireLetter: a.RequireLetter, RequireDigit: a.RequireDigit,
		RequireSpecial: a.RequireSpecial, Specials: a.Specials}
	if preset, ok := Preset(a.Name); ok {
		p.RefuseCommon, p.RefusePersonal = preset.RefuseCommon, preset.RefusePersonal
		if p.Specials == "" {
			p.Specials = preset.Specials
		}
	}
	return p
}
