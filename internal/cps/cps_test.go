package cps

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"
)

var (
	oidC = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidO = asn1.ObjectIdentifier{2, 5, 4, 10}
)

// subject builds C=FR, title, then the multi-valued RDN CN+SN+GN as IGC-Santé does.
func subject(cn, sn, gn, title string) pkix.RDNSequence {
	seq := pkix.RDNSequence{{{Type: oidC, Value: "FR"}}}
	if title != "" {
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oidTitle, Value: title}})
	}
	return append(seq, pkix.RelativeDistinguishedNameSET{
		{Type: oidCommonName, Value: cn},
		{Type: oidSurname, Value: sn},
		{Type: oidGivenName, Value: gn},
	})
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		name  string
		rdn   pkix.RDNSequence
		want  Identity
		isErr error
	}{
		{name: "cps rpps", rdn: subject("810002813839", "DONNAT-GADY", "ISABELLE", "Médecin"),
			want: Identity{Family: FamilyCPS, NationalID: "810002813839", RPPS: "10002813839",
				Surname: "DONNAT-GADY", GivenName: "ISABELLE", Title: "Médecin"}},
		{name: "adeli", rdn: subject("00B7010446", "LEROY", "SOPHIE", "Infirmier"),
			want: Identity{Family: FamilyCPS, NationalID: "00B7010446", ADELI: "0B7010446",
				Surname: "LEROY", GivenName: "SOPHIE", Title: "Infirmier"}},
		{name: "cpe", rdn: subject("3760021832/000000018", "MARTIN", "CAMILLE", "Carte de service santé ou social"),
			want: Identity{Family: FamilyCPE, NationalID: "3760021832/000000018", FINESS: "760021832",
				StaffID: "000000018", Surname: "MARTIN", GivenName: "CAMILLE", Title: "Carte de service santé ou social"}},
		{name: "cpa", rdn: subject("500000000029751/CPAT0001", "DUPONT", "LUC", ""),
			want: Identity{Family: FamilyCPA, NationalID: "500000000029751/CPAT0001", SIRET: "00000000029751",
				StaffID: "CPAT0001", Surname: "DUPONT", GivenName: "LUC"}},
		{name: "separate rdns", rdn: pkix.RDNSequence{
			{{Type: oidGivenName, Value: "ANNE"}}, {{Type: oidCommonName, Value: "899700000005"}},
			{{Type: oidO, Value: "X"}}, {{Type: oidSurname, Value: "B"}}},
			want: Identity{Family: FamilyCPS, NationalID: "899700000005", RPPS: "99700000005", Surname: "B", GivenName: "ANNE"}},
		{name: "rpps too short", rdn: subject("81000281383", "A", "B", ""), isErr: ErrMalformed},
		{name: "rpps letter", rdn: subject("81000281383X", "A", "B", ""), isErr: ErrMalformed},
		{name: "adeli too long", rdn: subject("00B70104460", "A", "B", ""), isErr: ErrMalformed},
		{name: "adeli lower case", rdn: subject("00b7010446", "A", "B", ""), isErr: ErrMalformed},
		{name: "cpe no staff id", rdn: subject("3760021832", "A", "B", ""), isErr: ErrMalformed},
		{name: "cpe empty staff id", rdn: subject("3760021832/", "A", "B", ""), isErr: ErrMalformed},
		{name: "cpe short finess", rdn: subject("376002183/1", "A", "B", ""), isErr: ErrMalformed},
		{name: "cpe bad staff id", rdn: subject("3760021832/a b", "A", "B", ""), isErr: ErrMalformed},
		{name: "cpa short siret", rdn: subject("50000000002975/CPAT0001", "A", "B", ""), isErr: ErrMalformed},
		{name: "server name", rdn: subject("portal.example.test", "A", "B", ""), isErr: ErrNotCPx},
		{name: "no cn", rdn: pkix.RDNSequence{{{Type: oidSurname, Value: "A"}}}, isErr: ErrNotCPx},
		{name: "empty", rdn: nil, isErr: ErrNotCPx},
		{name: "two cn", rdn: pkix.RDNSequence{{{Type: oidCommonName, Value: "899700000005"}},
			{{Type: oidCommonName, Value: "810002813839"}}}, isErr: ErrMalformed},
		{name: "cn not a string", rdn: pkix.RDNSequence{{{Type: oidCommonName, Value: 42}}}, isErr: ErrMalformed},
		{name: "sn with newline", rdn: subject("899700000005", "A\nB", "C", ""), isErr: ErrMalformed},
		{name: "bad utf-8 title", rdn: subject("899700000005", "A", "B", "\xff"), isErr: ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSubject(tc.rdn)
			if tc.isErr != nil {
				if !errors.Is(err, tc.isErr) {
					t.Fatalf("err = %v, want %v", err, tc.isErr)
				}
				if got != (Identity{}) {
					t.Errorf("identity %+v returned with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct {
		id   Identity
		want string
	}{
		{Identity{Surname: "donnat-gady", GivenName: "ISABELLE"}, "Isabelle DONNAT-GADY"},
		{Identity{Surname: "MARTIN", GivenName: "JEAN-CLAUDE"}, "Jean-Claude MARTIN"},
		{Identity{Surname: "Le Goff", GivenName: "marie anne"}, "Marie Anne LE GOFF"},
		{Identity{Surname: "ÉLOI", GivenName: "ÉLODIE"}, "Élodie ÉLOI"},
		{Identity{Surname: "SEUL"}, "SEUL"},
		{Identity{GivenName: "PRÉNOM"}, "Prénom"},
		{Identity{NationalID: "899700000005"}, "899700000005"},
	}
	for _, tc := range tests {
		if got := tc.id.DisplayName(); got != tc.want {
			t.Errorf("DisplayName(%q, %q) = %q, want %q", tc.id.GivenName, tc.id.Surname, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []string{"10002813839", "99700000005"} {
		if err := ValidateRPPS(ok); err != nil {
			t.Errorf("ValidateRPPS(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1000281383", "100028138390", "1000281383a", "١٠٠٠٢٨١٣٨٣٩"} {
		if err := ValidateRPPS(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ValidateRPPS(%q) = %v", bad, err)
		}
	}
	for _, ok := range []string{"0B7010446", "2A0000015", "999700016"} {
		if err := ValidateADELI(ok); err != nil {
			t.Errorf("ValidateADELI(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ABCDEFGHI", "0B701044", "0b7010446", "0B70104-6"} {
		if err := ValidateADELI(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ValidateADELI(%q) = %v", bad, err)
		}
	}
}
