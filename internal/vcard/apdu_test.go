package vcard

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseCommand(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		data     string
		ne       int
		extended bool
	}{
		{"case 1", "00A40000", "", 0, false},
		{"case 2 short", "00C0000010", "", 16, false},
		{"case 2 short Le 00", "00C0000000", "", 256, false},
		{"case 3 short", "00A4000C023F00", "3F00", 0, false},
		{"case 4 short", "00A4040009A0000003080000100000", "A00000030800001000", 256, false},
		{"case 2 extended", "00CB3FFF000200", "", 512, true},
		{"case 3 extended", "00CB3FFF000003AABBCC", "AABBCC", 0, true},
		{"case 4 extended", "00CB3FFF000003AABBCC0000", "AABBCC", 65536, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := parseCommand(mustHex(t, c.in))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !bytes.Equal(cmd.data, mustHex(t, c.data)) || cmd.ne != c.ne || cmd.extended != c.extended {
				t.Fatalf("got data %X ne %d ext %v, want %s %d %v", cmd.data, cmd.ne, cmd.extended, c.data, c.ne, c.extended)
			}
		})
	}
}

func TestParseCommandMalformed(t *testing.T) {
	for _, in := range []string{"", "00A400", "00A4000C053F00", "00A4000C013F0000AA", "00CB3FFF000005AABB", "00CB3FFF00000000"} {
		if _, err := parseCommand(mustHex(t, in)); !errors.Is(err, errMalformed) {
			t.Errorf("%q: err %v, want errMalformed", in, err)
		}
	}
}

func TestTLVRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 255, 256, 1500} {
		v := bytes.Repeat([]byte{0xAB}, n)
		enc := append(tlv(0x70, v), tlv(0x71, []byte{0})...)
		got, found := findTLV(enc, 0x70)
		if !found || !bytes.Equal(got, v) {
			t.Fatalf("len %d: found %v, %d bytes", n, found, len(got))
		}
		if _, found := findTLV(enc[:len(enc)-1], 0x72); found {
			t.Fatalf("len %d: found a tag in a truncated buffer", n)
		}
	}
}

// FuzzTransmit feeds arbitrary APDUs: the card answers every one with a status word and never
// panics.
func FuzzTransmit(f *testing.F) {
	for _, s := range []string{"00A4040009A00000030800001000", "00CB3FFF055C035FC10500", "0020008008313233340000FFFF",
		"10870799FF", "00C0000000", "00B000000C", "002C00801031323334353637383132333435FFFFFF"} {
		f.Add(mustHex(f, s))
	}
	a := newTestApplet(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		out := a.transmit(in)
		if len(out) < 2 {
			t.Fatalf("answer %X has no status word", out)
		}
	})
}
