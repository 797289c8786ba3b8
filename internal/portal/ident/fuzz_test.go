package ident

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzBase(f *testing.F) {
	for _, s := range [][2]string{{"Jean-Luc", "D'Arc"}, {"Hélène", "Œuvray"}, {"", ""}, {"\xff", "a b"}, {"ǅ", "ﬀ"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, given, family string) {
		id, err := Base(given, family)
		if err != nil {
			return
		}
		if !Valid(id) {
			t.Fatalf("Base(%q, %q) = %q, not Valid", given, family, id)
		}
		if strings.Count(id, ".") != 1 || !utf8.ValidString(id) {
			t.Fatalf("Base(%q, %q) = %q: bad shape", given, family, id)
		}
		// What Make returns must be found again by Normalize at sign-in.
		n, kind, err := Normalize(strings.ToUpper(id))
		if err != nil || n != id || kind != KindIdentifiant {
			t.Fatalf("Normalize(upper(%q)) = %q, %v, %v", id, n, kind, err)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Jean.Dupont", "a@b.fr", " x ", "@", "é.è", "\x00.\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, kind, err := Normalize(in)
		if err != nil {
			return
		}
		switch kind {
		case KindIdentifiant:
			if !Valid(n) {
				t.Fatalf("Normalize(%q) = %q, not Valid", in, n)
			}
		case KindEmail:
			if n != strings.ToLower(n) || !strings.Contains(n, "@") {
				t.Fatalf("Normalize(%q) = %q, bad e-mail", in, n)
			}
		default:
			t.Fatalf("Normalize(%q): kind %v", in, kind)
		}
		// Idempotent.
		if n2, _, err := Normalize(n); err != nil || n2 != n {
			t.Fatalf("Normalize(Normalize(%q)) = %q, %v; want %q", in, n2, err, n)
		}
	})
}
