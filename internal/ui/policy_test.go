package ui

import (
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
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
