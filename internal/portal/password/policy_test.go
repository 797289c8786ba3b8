package password

import (
	"slices"
	"strings"
	"testing"
)

func codes(vs []Violation) []string {
	var cs []string
	for _, v := range vs {
		cs = append(cs, v.Code)
	}
	return cs
}

func TestSantePreset(t *testing.T) {
	p := Sante()
	ctx := CheckContext{Identifiant: "jean.dupont", GivenName: "Jean", FamilyName: "Dupont"}
	cases := map[string][]string{}
	cases["Rq7#vanille-Bus"] = nil
	cases["Rq7#vanille"] = []string{CodeMinLength}
	cases["rq7#vanille-bus"] = []string{CodeUpper}
	cases["RQ7#VANILLE-BUS"] = []string{CodeLower}
	cases["Rqx#vanille-Bus"] = []string{CodeDigit}
	cases["Rq7xvanilleBus"] = []string{CodeSpecial}
	cases["Dupont#2024abc"] = []string{CodePersonal}
	cases["xJEAN.DUPONT9!x"] = []string{CodePersonal}
	for pw, want := range cases {
		got := codes(p.Check([]byte(pw), ctx))
		if !slices.Equal(got, want) {
			t.Errorf("sante.Check(%q) = %v, want %v", pw, got, want)
		}
	}
	if v := p.Check([]byte("abc"), ctx); len(v) == 0 || v[0].MessageFR != "Au moins 12 caractères" {
		t.Errorf("first French message = %+v", v)
	}
}

func TestNormPreset(t *testing.T) {
	p := Norm()
	for pw, want := range map[string][]string{
		"vanille7&":  nil,
		"vanil7&":    {CodeMinLength},
		"vanille7*":  {CodeSpecial}, // '*' is not in seed 001's list
		"vanilles&":  {CodeDigit},
		"12345678&":  {CodeLetter},
		"azerty123!": {CodeCommon},
	} {
		if got := codes(p.Check([]byte(pw), CheckContext{})); !slices.Equal(got, want) {
			t.Errorf("norm.Check(%q) = %v, want %v", pw, got, want)
		}
	}
	if a := p.API(90); a.Name != "norm" || a.MinLength != 8 || !a.RequireLetter || a.RequireUpper || a.MaxAgeDays != 90 {
		t.Errorf("API() = %+v", a)
	}
}

func TestCommonRefused(t *testing.T) {
	if n := CommonCount(); n < 3000 {
		t.Fatalf("common list has %d entries", n)
	}
	for _, pw := range []string{"password", "Password1", "P@ssw0rd2024!", "azerty", "Soleil2024!", "@dmin1", "motdepasse"} {
		if !IsCommon([]byte(pw)) {
			t.Errorf("IsCommon(%q) = false", pw)
		}
	}
	for _, pw := range []string{"Rq7#vanille-Bus", "Tigre-Bleu-Montagne-42", "x9$kP2!mLq"} {
		if IsCommon([]byte(pw)) {
			t.Errorf("IsCommon(%q) = true", pw)
		}
	}
	// A password that satisfies every composition rule of "sante" is still refused.
	if got := codes(Sante().Check([]byte("Motdepasse123!"), CheckContext{})); !slices.Equal(got, []string{CodeCommon}) {
		t.Errorf("sante.Check(Motdepasse123!) = %v", got)
	}
	off := Sante()
	off.RefuseCommon = false
	if got := off.Check([]byte("Motdepasse123!"), CheckContext{}); len(got) != 0 {
		t.Errorf("RefuseCommon=false still refuses: %v", got)
	}
}

func TestRulesChecklist(t *testing.T) {
	rules := Sante().Rules()
	var labels []string
	for _, r := range rules {
		labels = append(labels, r.LabelFR)
		if r.Code == "" || r.LabelEN == "" {
			t.Errorf("rule %+v incomplete", r)
		}
	}
	want := []string{"Au moins 12 caractères", "Au moins une minuscule", "Au moins une majuscule", "Au moins un chiffre"}
	if !slices.Equal(labels[:4], want) {
		t.Errorf("labels = %v", labels)
	}
	for _, r := range rules {
		if r.Code == CodeUpper && (r.Satisfied([]byte("abc")) || !r.Satisfied([]byte("aBc"))) {
			t.Error("upper rule wrong")
		}
		if r.Code == CodeMaxLength && r.Satisfied([]byte(strings.Repeat("a", 129))) {
			t.Error("max length rule wrong")
		}
	}
	if _, ok := Preset("x"); ok {
		t.Error("Preset(x) ok")
	}
	if p, _ := Preset(""); p.Name != "sante" {
		t.Error("default preset is not sante")
	}
}

func TestFromAPIRoundTrip(t *testing.T) {
	for _, p := range []Policy{Sante(), Norm()} {
		if got := FromAPI(p.API(90)); got != p {
			t.Errorf("FromAPI(API(%s)) = %+v, want %+v", p.Name, got, p)
		}
	}
}
