package cps

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"
)

// selfSigned makes a real certificate whose subject is rdn (P-256: fast to generate).
func selfSigned(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := asn1.Marshal(subject(cn, "DONNAT-GADY", "ISABELLE", "Médecin"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xC0FFEE),
		RawSubject:   raw,
		NotBefore:    time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:     time.Date(2028, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFromCertificate(t *testing.T) {
	c := selfSigned(t, "810002813839")
	id, err := FromCertificate(c)
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Family: FamilyCPS, NationalID: "810002813839", RPPS: "10002813839",
		Surname: "DONNAT-GADY", GivenName: "ISABELLE", Title: "Médecin",
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, SerialHex: "c0ffee"}
	if id != want {
		t.Errorf("got  %+v\nwant %+v", id, want)
	}
	if got := id.DisplayName(); got != "Isabelle DONNAT-GADY" {
		t.Errorf("DisplayName %q", got)
	}
	if _, err := FromCertificate(selfSigned(t, "www.example.test")); !errors.Is(err, ErrNotCPx) {
		t.Errorf("server certificate: %v, want ErrNotCPx", err)
	}
}

func TestFromCertificateBadInput(t *testing.T) {
	if _, err := FromCertificate(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil: %v", err)
	}
	c := selfSigned(t, "810002813839")
	for name, raw := range map[string][]byte{
		"empty":    nil,
		"garbage":  {0x01, 0x02},
		"trailing": append(append([]byte{}, c.RawSubject...), 0x00),
	} {
		bad := *c
		bad.RawSubject = raw
		if _, err := FromCertificate(&bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s subject: %v, want ErrMalformed", name, err)
		}
	}
}
