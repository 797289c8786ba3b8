package password

import (
	"strings"
	"testing"
)

func TestProvisionalSatisfiesPolicies(t *testing.T) {
	for _, p := range []Policy{Sante(), Norm()} {
		seen := map[string]bool{}
		for range 200 {
			pw, err := Provisional(p)
			if err != nil {
				t.Fatal(err)
			}
			if vs := p.Check([]byte(pw), CheckContext{}); len(vs) != 0 {
				t.Fatalf("%s: Provisional() = %q breaks %v", p.Name, pw, codes(vs))
			}
			if len(pw) < 12 || strings.ContainsAny(pw, "0O1lI") {
				t.Fatalf("%s: Provisional() = %q", p.Name, pw)
			}
			seen[pw] = true
		}
		if len(seen) != 200 {
			t.Fatalf("%s: %d distinct passwords of 200", p.Name, len(seen))
		}
	}
}

func TestNormalizeAnswer(t *testing.T) {
	for in, want := range map[string]string{"  Le  Havre ": "le havre", "Médor": "medor", "\tRex\n": "rex", "": ""} {
		if got := NormalizeAnswer(in); got != want {
			t.Errorf("NormalizeAnswer(%q) = %q, want %q", in, got, want)
		}
	}
}
