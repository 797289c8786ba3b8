package cps

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Attribute types read from the subject.
var (
	oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname    = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName  = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidTitle      = asn1.ObjectIdentifier{2, 5, 4, 12}
)

// maxAttr bounds one attribute value (X.520 upper bounds are 64 for CN, names and title;
// IGC-Santé values are shorter).
const maxAttr = 128

// FromCertificate reads the holder identity of an IGC-Santé certificate. It parses the raw
// subject, so the multi-valued RDN (CN+SN+GN) is read whatever its order.
func FromCertificate(c *x509.Certificate) (Identity, error) {
	if c == nil {
		return Identity{}, fmt.Errorf("cps: nil certificate: %w", ErrMalformed)
	}
	var rdn pkix.RDNSequence
	rest, err := asn1.Unmarshal(c.RawSubject, &rdn)
	if err != nil {
		return Identity{}, fmt.Errorf("cps: subject: %v: %w", err, ErrMalformed)
	}
	if len(rest) > 0 {
		return Identity{}, fmt.Errorf("cps: subject: trailing data: %w", ErrMalformed)
	}
	id, err := ParseSubject(rdn)
	if err != nil {
		return id, err
	}
	id.NotBefore, id.NotAfter = c.NotBefore, c.NotAfter
	if c.SerialNumber != nil {
		id.SerialHex = c.SerialNumber.Text(16)
	}
	return id, nil
}

// ParseSubject reads the holder identity from a subject name. Each of CN, SN, GN and title
// may appear at most once; the CN is required and must be a CPx national identifier.
func ParseSubject(rdn pkix.RDNSequence) (Identity, error) {
	var id Identity
	var cn string
	seen := map[string]bool{}
	for _, set := range rdn {
		for _, atv := range set {
			dst := field(atv.Type, &id, &cn)
			if dst == nil {
				continue
			}
			key := atv.Type.String()
			if seen[key] {
				return Identity{}, fmt.Errorf("cps: attribute %s repeated: %w", key, ErrMalformed)
			}
			seen[key] = true
			v, err := attrString(atv)
			if err != nil {
				return Identity{}, err
			}
			*dst = v
		}
	}
	if err := parseNationalID(cn, &id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// field returns where the value of attribute type t goes, or nil for other attributes.
func field(t asn1.ObjectIdentifier, id *Identity, cn *string) *string {
	switch {
	case t.Equal(oidCommonName):
		return cn
	case t.Equal(oidSurname):
		return &id.Surname
	case t.Equal(oidGivenName):
		return &id.GivenName
	case t.Equal(oidTitle):
		return &id.Title
	}
	return nil
}

func attrString(atv pkix.AttributeTypeAndValue) (string, error) {
	s, ok := atv.Value.(string)
	if !ok {
		return "", fmt.Errorf("cps: attribute %s is not a string: %w", atv.Type, ErrMalformed)
	}
	if !utf8.ValidString(s) || len(s) > maxAttr || strings.ContainsAny(s, "\x00\r\n") {
		return "", fmt.Errorf("cps: attribute %s has an invalid value: %w", atv.Type, ErrMalformed)
	}
	return s, nil
}
