package ui

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
)

func TestCheckPassword(t *testing.T) {
	sante := &api.PasswordPolicy{MinLength: 12, RequireLower: true, RequireUpper: true, RequireDigit: true, RequireSpecial: true}
	norm := &api.PasswordPolicy{MinLength: 8, RequireLetter: true, RequireDigit: true}
	cases := []struct {
		name        string
		p           *api.PasswordPolicy
		pw, confirm string
		want        map[string]bool
	}{
		{"empty", sante, "", "", map[string]bool{"length": false, "lower": false, "upper": false, "digit": false, "special": false, "match": false}},
		{"lower only", sante, "abc", "", map[string]bool{"length": false, "lower": true, "upper": false, "digit": false, "special": false, "match": false}},
		{"all but match", sante, "Abcdefgh12!x", "Abcdefgh12!", map[string]bool{"length": true, "lower": true, "upper": true, "digit": true, "special": true, "match": false}},
		{"all", sante, "Abcdefgh12!x", "Abcdefgh12!x", map[string]bool{"length": true, "lower": true, "upper": true, "digit": true, "special": true, "match": true}},
		{"accents count as letters", sante, "ÉléphantRose1@", "ÉléphantRose1@", map[string]bool{"length": true, "lower": true, "upper": true, "digit": true, "special": true, "match": true}},
		{"length in runes", sante, "ééééééééééé", "", map[string]bool{"length": false, "lower": true, "upper": false, "digit": false, "special": false, "match": false}},
		{"space is not special", sante, "abc def", "", map[string]bool{"length": false, "lower": true, "upper": false, "digit": false, "special": false, "match": false}},
		{"norm letter", norm, "abcdefg1", "abcdefg1", map[string]bool{"length": true, "letter": true, "digit": true, "match": true}},
		{"nil policy is santé", nil, "Abcdefgh12!x", "Abcdefgh12!x", map[string]bool{"length": true, "lower": true, "upper": true, "digit": true, "special": true, "match": true}},
	}
	for _, c := range cases {
		rules := checkPassword(c.p, c.pw, c.confirm)
		if len(rules) != len(c.want) {
			t.Errorf("%s: %d rules, want %d: %+v", c.name, len(rules), len(c.want), rules)
			continue
		}
		all := true
		for _, r := range rules {
			want, ok := c.want[r.Key]
			if !ok || r.OK != want {
				t.Errorf("%s: rule %s = %v, want %v (known %v)", c.name, r.Key, r.OK, want, ok)
			}
			all = all && want
		}
		if allOK(rules) != all {
			t.Errorf("%s: allOK = %v, want %v", c.name, allOK(rules), all)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "Abcdefgh12!x", "\x00\xff", "ééé"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, pw, confirm string) {
		rules := checkPassword(nil, pw, confirm)
		if allOK(rules) && pw != confirm {
			t.Fatalf("all rules hold for different entries %q / %q", pw, confirm)
		}
	})
}

// portalVerdict runs pw through the portal's own check (common-password and personal rules
// aside: the checklist cannot know them) and returns the rules it breaks.
func portalVerdict(p password.Policy, pw string) map[string]bool {
	broken := map[string]bool{}
	for _, v := range p.Check([]byte(pw), password.CheckContext{}) {
		if v.Code != password.CodeCommon && v.Code != password.CodePersonal {
			broken[v.Code] = true
		}
	}
	return broken
}

// checklistVerdict is what the agent's checklist shows for pw under the policy the portal
// sends (through its JSON form), with the confirmation typed alike.
func checklistVerdict(t testing.TB, p password.Policy, pw string) map[string]bool {
	b, err := json.Marshal(p.API(0))
	if err != nil {
		t.Fatal(err)
	}
	var wire api.PasswordPolicy
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{"length": api.RuleMinLength, "special_among": api.RuleSpecial}
	broken := map[string]bool{}
	for _, r := range checkPassword(&wire, pw, pw) {
		code := r.Key
		if c, ok := codes[code]; ok {
			code = c
		}
		if !r.OK && code != "match" {
			broken[code] = true
		}
	}
	return broken
}

// TestChecklistAgreesWithPortal: both presets, through the one evaluator as the checklist
// shows it and through the portal's check: the same rules broken, password by password.
func TestChecklistAgreesWithPortal(t *testing.T) {
	presets := map[string]password.Policy{"sante": password.Sante(), "norm": password.Norm()}
	pws := []string{"", "abc", "Abcdefgh12!x", "abcdefg1!", "abcdefg1_", "Motdepasse1_", "Motdepasse1!",
		"Mot de passe1", "Mot de passe 1", "ÉléphantRose1@", "ééééééééééé1'", "12345678!",
		strings.Repeat("Aa1!", 32), strings.Repeat("Aa1!", 32) + "x", "Abcdefgh12!\xff", "Abcdefgh12\t!x"}
	for name, p := range presets {
		for _, pw := range pws {
			got, want := checklistVerdict(t, p, pw), portalVerdict(p, pw)
			if !maps.Equal(got, want) {
				t.Errorf("%s %q: checklist breaks %v, portal %v", name, pw, got, want)
			}
		}
	}
	// The norm preset's specials reach the checklist: "_" is not one of them.
	if got := checklistVerdict(t, password.Norm(), "abcdefg1_"); !got[api.RuleSpecial] {
		t.Errorf("norm: \"_\" ticked as special (%v)", got)
	}
}

// FuzzChecklistAgreesWithPortal: the checklist and the portal never disagree, on any input.
func FuzzChecklistAgreesWithPortal(f *testing.F) {
	for _, s := range []string{"", "Abcdefgh12!x", "abcdefg1_", "Mot de passe1", "\x00\xff", "ééé", "A1!\u00a0\u2028x"} {
		f.Add(s)
	}
	presets := []password.Policy{password.Sante(), password.Norm()}
	f.Fuzz(func(t *testing.T, pw string) {
		for _, p := range presets {
			if got, want := checklistVerdict(t, p, pw), portalVerdict(p, pw); !maps.Equal(got, want) {
				t.Fatalf("%s %q: checklist breaks %v, portal %v", p.Name, pw, got, want)
			}
		}
	})
}
