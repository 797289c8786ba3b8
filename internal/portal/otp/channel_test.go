package otp

import (
	"errors"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func TestParsePhoneFrench(t *testing.T) {
	for _, in := range []string{"0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
		"+33612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", " 06\u00a012 34 56 78 "} {
		got, err := ParsePhone(in, PhoneOptions{})
		if err != nil || got != "+33612345678" {
			t.Errorf("ParsePhone(%q) = %q, %v", in, got, err)
		}
	}
	if got, err := ParsePhone("07 81 23 45 67", PhoneOptions{}); err != nil || got != "+33781234567" {
		t.Errorf("07: %q, %v", got, err)
	}
	for _, in := range []string{"01 23 45 67 89", "+33 1 23 45 67 89", "09 87 65 43 21", "06 12 34 56", "06 12 34 56 78 9",
		"", "abc", "+", "06/12/34/56/78", "+44 7911 123456", "0612345678x", "+0612345678"} {
		if got, err := ParsePhone(in, PhoneOptions{}); !errors.Is(err, ErrChannel) {
			t.Errorf("ParsePhone(%q) = %q, %v; want ErrChannel", in, got, err)
		}
	}
	if got, err := ParsePhone("+44 7911 123456", PhoneOptions{AllowForeign: true}); err != nil || got != "+447911123456" {
		t.Errorf("foreign allowed: %q, %v", got, err)
	}
	if got, err := ParsePhone("00 262 692 12 34 56", PhoneOptions{AllowForeign: true}); err != nil || got != "+262692123456" {
		t.Errorf("Réunion: %q, %v", got, err)
	}
}

func TestMasking(t *testing.T) {
	cases := map[string]string{
		"+33612345678":     "06 •• •• •• 78",
		"+447911123456":    "+44 ••• 56",
		"jean@exemple.fr":  "j•••@exemple.fr",
		"é@exemple.fr":     "é•••@exemple.fr",
		"garbage":          "••",
		"@nolocal.example": "•••",
	}
	for in, want := range cases {
		if got := MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseChannel(t *testing.T) {
	c, err := ParseChannel(api.ChannelEmail, " Jean.Dupont@Exemple.FR ", PhoneOptions{})
	if err != nil || c.Address != "jean.dupont@exemple.fr" {
		t.Fatalf("email: %+v, %v", c, err)
	}
	if a := c.API(true); a.Masked != "j•••@exemple.fr" || a.Kind != api.ChannelEmail || !a.Active {
		t.Fatalf("API: %+v", a)
	}
	c, err = ParseChannel(api.ChannelSMS, "06 12 34 56 78", PhoneOptions{})
	if err != nil || c.Masked() != "06 •• •• •• 78" {
		t.Fatalf("sms: %+v, %v", c, err)
	}
	for _, bad := range [][2]string{{api.ChannelEmail, "pas une adresse"}, {api.ChannelSMS, "01 23 45 67 89"}, {"fax", "x"}} {
		_, err := ParseChannel(bad[0], bad[1], PhoneOptions{})
		if !errors.Is(err, ErrChannel) || APIError(err, t0).Code != api.CodeChannelInvalid {
			t.Errorf("ParseChannel(%q, %q) err = %v", bad[0], bad[1], err)
		}
		if strings.Contains(err.Error(), bad[1]) && bad[1] != "x" {
			t.Errorf("error echoes the input: %v", err)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+33 (0)6 12 34 56 78", "0033612345678", "+447911123456", "", "+", "00", "()"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, foreign bool) {
		got, err := ParsePhone(in, PhoneOptions{AllowForeign: foreign})
		if err != nil {
			if !errors.Is(err, ErrChannel) {
				t.Fatalf("ParsePhone(%q): error %v does not wrap ErrChannel", in, err)
			}
			return
		}
		if got[0] != '+' || len(got) < 9 || len(got) > 16 || strings.Trim(got[1:], "0123456789") != "" || got[1] == '0' {
			t.Fatalf("ParsePhone(%q) = %q: not E.164", in, got)
		}
		if strings.HasPrefix(got, "+33") && (len(got) != 12 || (got[3] != '6' && got[3] != '7')) {
			t.Fatalf("ParsePhone(%q) = %q: French non-mobile accepted", in, got)
		}
		if !foreign && !strings.HasPrefix(got, "+33") {
			t.Fatalf("ParsePhone(%q) = %q: foreign accepted", in, got)
		}
		again, err := ParsePhone(got, PhoneOptions{AllowForeign: foreign})
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q, %v", in, got, again, err)
		}
		if m := MaskPhone(got); strings.Contains(m, got[4:len(got)-2]) {
			t.Fatalf("MaskPhone(%q) = %q leaks the middle digits", got, m)
		}
	})
}
