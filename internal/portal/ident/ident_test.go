package ident

import (
	"context"
	"errors"
	"testing"
)

func TestBase(t *testing.T) {
	cases := []struct{ given, family, want string }{
		{"Jean", "Dupont", "jean.dupont"},
		{"Hélène", "Lefèvre", "helene.lefevre"},
		{"Jean-Luc", "D'Arc", "jean-luc.darc"},
		{"Jean Luc", "D’Arc", "jean-luc.darc"},
		{"  Marie--Ève ", "de La Fontaine", "marie-eve.de-la-fontaine"},
		{"Françoise", "Œuvray", "francoise.oeuvray"},
		{"Zoë", "Straße", "zoe.strasse"},
		{"ANNE", "MÜLLER", "anne.muller"},
		{"Łukasz", "Søren", "lukasz.soren"},
	}
	for _, c := range cases {
		got, err := Base(c.given, c.family)
		if err != nil || got != c.want {
			t.Errorf("Base(%q, %q) = %q, %v; want %q", c.given, c.family, got, err, c.want)
		}
		if !Valid(got) {
			t.Errorf("Valid(%q) = false", got)
		}
	}
	for _, bad := range [][2]string{{"", "Dupont"}, {"Jean", "'"}, {"李", "Dupont"}, {"--", "x"}} {
		if _, err := Base(bad[0], bad[1]); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Base(%q, %q) err = %v, want ErrInvalidName", bad[0], bad[1], err)
		}
	}
}

func TestMakeHomonyms(t *testing.T) {
	used := map[string]bool{}
	taken := func(id string) (bool, error) { return used[id], nil }
	want := []string{"jean.dupont", "jean.dupont1", "jean.dupont2"}
	for _, w := range want {
		got, err := Make("Jean", "Dupont", taken)
		if err != nil || got != w {
			t.Fatalf("Make = %q, %v; want %q", got, err, w)
		}
		used[got] = true
	}
	for n := 3; n <= MaxSuffix; n++ {
		id, err := Make("Jean", "Dupont", taken)
		if err != nil {
			t.Fatal(err)
		}
		used[id] = true
	}
	if _, err := Make("Jean", "Dupont", taken); !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v, want ErrExhausted", err)
	}
	boom := errors.New("db down")
	if _, err := Make("A", "B", func(string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapped db error", err)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
		kind     Kind
	}{
		{" Jean.Dupont ", "jean.dupont", KindIdentifiant},
		{"Hélène.Lefèvre", "helene.lefevre", KindIdentifiant},
		{"Jean-Luc.D'Arc", "jean-luc.darc", KindIdentifiant},
		{"jean.dupont2", "jean.dupont2", KindIdentifiant},
		{"Jean.Dupont@Exemple.FR", "jean.dupont@exemple.fr", KindEmail},
	}
	for _, c := range cases {
		got, kind, err := Normalize(c.in)
		if err != nil || got != c.want || kind != c.kind {
			t.Errorf("Normalize(%q) = %q, %v, %v; want %q, %v", c.in, got, kind, err, c.want, c.kind)
		}
	}
	for _, bad := range []string{"", "   ", "jeandupont", ".dupont", "jean@", "a@b", "Jean <j@x.fr>", "j@x.fr."} {
		if _, _, err := Normalize(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) err = %v, want ErrInvalid", bad, err)
		}
	}
}

type dir struct {
	ids    map[string]string
	emails map[string][]string
}

func (d dir) ByIdentifiant(_ context.Context, id string) (string, bool, error) {
	u, ok := d.ids[id]
	return u, ok, nil
}

func (d dir) ByEmail(_ context.Context, e string) ([]string, error) { return d.emails[e], nil }

func TestResolve(t *testing.T) {
	d := dir{
		ids:    map[string]string{"jean.dupont": "u1", "anne.martin": "u2"},
		emails: map[string][]string{"jean@exemple.fr": {"u1"}, "accueil@samu.fr": {"u1", "u2"}},
	}
	ctx := context.Background()
	for in, want := range map[string]string{"Jean.Dupont": "u1", "JEAN@exemple.fr": "u1", "anne.martin": "u2"} {
		if got, err := Resolve(ctx, d, in); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Resolve(ctx, d, "accueil@samu.fr"); !errors.Is(err, ErrAmbiguous) || !errors.Is(err, ErrNotFound) {
		t.Errorf("shared e-mail: err = %v, want ErrAmbiguous wrapping ErrNotFound", err)
	}
	for _, in := range []string{"paul.durand", "x@exemple.fr", "%%%"} {
		if _, err := Resolve(ctx, d, in); !errors.Is(err, ErrNotFound) {
			t.Errorf("Resolve(%q) err = %v, want ErrNotFound", in, err)
		}
	}
}
