package drivers

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reference ATRs from the public CPx documentation (docs: /work/shared/domain.md).
var knownATRs = map[string]string{
	"cps3":             "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
	"cps3-variant":     "3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00",
	"cps3-contactless": "3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E",
	"cps4":             "3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44",
	"cps4-rc":          "3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44",
	"cps4-t0":          "3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00",
}

func TestATRTableComplete(t *testing.T) {
	if got := len(ATRs()); got != len(knownATRs) {
		t.Fatalf("ATRs() has %d entries, want %d", got, len(knownATRs))
	}
	for name, atr := range knownATRs {
		e, ok := ATRByName(name)
		if !ok {
			t.Fatalf("ATRByName(%q) not found", name)
		}
		if !bytes.Equal(e.ATR, mustHex(t, atr)) {
			t.Errorf("%s: ATR %X, want %s", name, e.ATR, atr)
		}
		got, ok := IdentifyATR(mustHex(t, atr))
		if !ok || got.Name != name {
			t.Errorf("IdentifyATR(%s) = %q, %v; want %q", atr, got.Name, ok, name)
		}
		if e.Family != "CPx" || (e.Generation != "CPS3" && e.Generation != "CPS4") {
			t.Errorf("%s: family %q generation %q", name, e.Family, e.Generation)
		}
	}
	if e, _ := ATRByName("cps3-contactless"); e.Interface != Contactless {
		t.Errorf("cps3-contactless interface = %q", e.Interface)
	}
	if _, ok := ATRByName("nope"); ok {
		t.Error("ATRByName(nope) found something")
	}
}

func TestIdentifyATRMask(t *testing.T) {
	cases := []struct {
		atr  string
		want string // "" = unknown
	}{
		// CPS3 contact: chip bytes 11..13 are masked out.
		{"3B AC 00 40 2A 00 12 25 00 64 80 11 22 33 00 90 00", "cps3"},
		// T0/TB1/TC2/TD1 bytes are masked too.
		{"3B 00 11 22 33 00 12 25 00 64 80 00 03 10 00 90 00", "cps3"},
		// An unmasked byte differs: not a CPx card.
		{"3B AC 00 40 2A 00 12 25 00 64 81 00 03 10 00 90 00", ""},
		// Contactless: bytes 8, 9 free, byte 11 only its top two bits count.
		{"3B 8F 80 01 00 31 B8 64 AA BB EC C5 73 94 01 80 82 90 00 0E", "cps3-contactless"},
		{"3B 8F 80 01 00 31 B8 64 04 B0 EC 81 73 94 01 80 82 90 00 0E", ""},
		// CPS4 rows are exact.
		{"3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 45", ""},
		// Length must match.
		{"3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90", ""},
		{"3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44 00", ""},
		{"", ""},
		// A PIV token (YubiKey 5) is not a CPx card.
		{"3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40", ""},
	}
	for _, c := range cases {
		e, ok := IdentifyATR(mustHex(t, c.atr))
		if c.want == "" {
			if ok {
				t.Errorf("IdentifyATR(%s) = %q, want unknown", c.atr, e.Name)
			}
			continue
		}
		if !ok || e.Name != c.want {
			t.Errorf("IdentifyATR(%s) = %q, %v; want %q", c.atr, e.Name, ok, c.want)
		}
	}
}

func TestATRsReturnsCopies(t *testing.T) {
	a := ATRs()
	a[0].ATR[0] = 0
	a[0].Mask[0] = 0
	if e, _ := ATRByName(a[0].Name); e.ATR[0] != 0x3B || e.Mask[0] != 0xFF {
		t.Fatal("ATRs() shares memory with the embedded table")
	}
}

func TestParseATRTableErrors(t *testing.T) {
	const hdr = "name\tatr\tmask\tfamily\tgeneration\tinterface\tcomment\n"
	bad := map[string]string{
		"no header":      "cps\t3B00\t\tCPx\tCPS3\tcontact\tx\n",
		"columns":        hdr + "cps\t3B00\t\tCPx\tCPS3\tcontact\n",
		"hex":            hdr + "cps\t3BZZ\t\tCPx\tCPS3\tcontact\tx\n",
		"mask length":    hdr + "cps\t3B00\tFF\tCPx\tCPS3\tcontact\tx\n",
		"interface":      hdr + "cps\t3B00\t\tCPx\tCPS3\tusb\tx\n",
		"duplicate name": hdr + "cps\t3B00\t\tCPx\tCPS3\tcontact\tx\ncps\t3B01\t\tCPx\tCPS3\tcontact\tx\n",
		"empty family":   hdr + "cps\t3B00\t\t\tCPS3\tcontact\tx\n",
	}
	for name, text := range bad {
		if _, err := ParseATRTable(text); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	got, err := ParseATRTable("# c\n\n" + hdr + "x\t3B00\t\tCPx\tCPS3\tcontact\t\n")
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Mask, []byte{0xFF, 0xFF}) {
		t.Fatalf("ParseATRTable = %+v, %v", got, err)
	}
}

// FuzzIdentifyATR: never panics, and a match obeys the mask semantics — same length as the
// entry's ATR and equal to it on every masked bit; no entry with more mask bits also matches.
func FuzzIdentifyATR(f *testing.F) {
	for _, atr := range knownATRs {
		f.Add(mustHex(f, atr))
	}
	f.Add([]byte{})
	f.Add([]byte{0x3B})
	f.Fuzz(func(t *testing.T, atr []byte) {
		e, ok := IdentifyATR(atr)
		matching := 0
		for _, row := range ATRs() {
			if row.Matches(atr) {
				matching++
				if ok && row.specificity() > e.specificity() {
					t.Fatalf("%X: %s matches with a finer mask than the chosen %s", atr, row.Name, e.Name)
				}
			}
		}
		if !ok {
			if matching != 0 {
				t.Fatalf("%X: unknown but %d rows match", atr, matching)
			}
			return
		}
		if len(atr) != len(e.ATR) {
			t.Fatalf("%X matched %s of another length", atr, e.Name)
		}
		for i := range atr {
			if (atr[i]^e.ATR[i])&e.Mask[i] != 0 {
				t.Fatalf("%X matched %s but differs on masked bits at byte %d", atr, e.Name, i)
			}
		}
	})
}
