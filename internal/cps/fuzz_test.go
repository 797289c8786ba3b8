package cps

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// FuzzParseSubject builds an IGC-Santé shaped subject from four strings and checks: no panic,
// errors are ErrNotCPx or ErrMalformed, an accepted identity is consistent with its CN, and it
// survives a DER round trip unchanged.
func FuzzParseSubject(f *testing.F) {
	f.Add("810002813839", "DONNAT-GADY", "ISABELLE", "Médecin")
	f.Add("00B7010446", "LEROY", "SOPHIE", "Infirmier")
	f.Add("3760021832/000000018", "MARTIN", "CAMILLE", "Carte de service santé ou social")
	f.Add("500000000029751/CPAT0001", "DUPONT", "LUC", "")
	f.Add("3760021832/", "", "", "")
	f.Add("8", "a\x00", "\xff", "")
	f.Fuzz(func(t *testing.T, cn, sn, gn, title string) {
		rdn := subject(cn, sn, gn, title)
		id, err := ParseSubject(rdn)
		if err != nil {
			if !errors.Is(err, ErrNotCPx) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is neither ErrNotCPx nor ErrMalformed", err)
			}
			return
		}
		checkIdentity(t, id, cn)
		if id.Surname != sn || id.GivenName != gn || id.Title != title {
			t.Fatalf("names changed: %+v", id)
		}
		der, err := asn1.Marshal(rdn)
		if err != nil {
			t.Fatalf("accepted subject does not marshal: %v", err)
		}
		var back pkix.RDNSequence
		if _, err := asn1.Unmarshal(der, &back); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		id2, err := ParseSubject(back)
		if err != nil || id2 != id {
			t.Fatalf("round trip: %+v, %v; want %+v", id2, err, id)
		}
	})
}

// FuzzFromCertificate feeds arbitrary bytes as a certificate's raw subject.
func FuzzFromCertificate(f *testing.F) {
	for _, cn := range []string{"810002813839", "00B7010446", "3760021832/000000018", "500000000029751/CPAT0001", "x"} {
		der, err := asn1.Marshal(subject(cn, "NOM", "PRÉNOM", "Médecin"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := &x509.Certificate{RawSubject: raw, SerialNumber: big.NewInt(0x1f), NotAfter: time.Unix(1e9, 0)}
		id, err := FromCertificate(c)
		if err != nil {
			if !errors.Is(err, ErrNotCPx) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is neither ErrNotCPx nor ErrMalformed", err)
			}
			return
		}
		if id.SerialHex != "1f" || !id.NotAfter.Equal(c.NotAfter) {
			t.Fatalf("certificate fields lost: %+v", id)
		}
		checkIdentity(t, id, id.NationalID)
	})
}

// checkIdentity asserts an accepted identity is consistent with its common name.
func checkIdentity(t *testing.T, id Identity, cn string) {
	t.Helper()
	if id.NationalID != cn {
		t.Fatalf("national id %q, want %q", id.NationalID, cn)
	}
	var rebuilt string
	switch id.Family {
	case FamilyCPS:
		if (id.RPPS == "") == (id.ADELI == "") {
			t.Fatalf("cps needs exactly one of rpps/adeli: %+v", id)
		}
		rebuilt = "8" + id.RPPS
		if id.ADELI != "" {
			rebuilt = "0" + id.ADELI
		}
	case FamilyCPE:
		rebuilt = "3" + id.FINESS + "/" + id.StaffID
	case FamilyCPA:
		rebuilt = "5" + id.SIRET + "/" + id.StaffID
	default:
		t.Fatalf("accepted with family %q", id.Family)
	}
	if rebuilt != cn {
		t.Fatalf("ids %+v rebuild %q, not the cn %q", id, rebuilt, cn)
	}
	if strings.TrimSpace(id.DisplayName()) == "" {
		t.Fatalf("empty display name for %+v", id)
	}
}
