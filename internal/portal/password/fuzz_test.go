package password

import (
	"testing"
)

// FuzzDecode feeds arbitrary stored strings to the PHC parser: it must never panic, and what
// it accepts must re-encode to the same string.
func FuzzDecode(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decode(s)
		if err != nil {
			return
		}
		if p.Memory > maxMemoryKiB || p.Time == 0 || p.Threads == 0 {
			t.Fatalf("decode(%q) accepted %+v", s, p)
		}
		if again := encode(p, salt, key); again != s {
			t.Fatalf("decode(%q) re-encodes to %q", s, again)
		}
	})
}

// FuzzCheck runs the policy on arbitrary bytes: no panic, and a password accepted by "sante"
// has 12 characters at least.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Rq7#vanille-Bus", "", "\xff\xfe", "P@ssw0rd2024!"} {
		f.Add(s, "jean.dupont")
	}
	f.Fuzz(func(t *testing.T, pw, id string) {
		vs := Sante().Check([]byte(pw), CheckContext{Identifiant: id, GivenName: "Jean", FamilyName: "Dupont"})
		if len(vs) == 0 && len([]rune(pw)) < 12 {
			t.Fatalf("sante accepted %q", pw)
		}
	})
}
