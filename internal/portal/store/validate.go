package store

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
)

// ErrInvalid: an enrolment field is malformed. The error names the field and why.
var ErrInvalid = errors.New("invalid value")

// maxName bounds display names and entity names (runes).
const maxName = 100

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

func invalid(field, value, why string) error {
	return fmt.Errorf("%s %q: %s: %w", field, value, why, ErrInvalid)
}

// ValidateUser checks and normalises an account before AddUser (admin enrolment): the
// identifiant has the "prénom.nom" form of internal/portal/ident, given and family names are
// non-empty printable text, the national id (when set) is a CPx card CN that internal/cps
// reads (8+RPPS, 0+ADELI, 3+FINESS/id, 5+SIRET/id), the e-mail is a bare address (lower-cased)
// and the mobile a phone otp.ParsePhone accepts (rewritten E.164).
func ValidateUser(u *User, phone otp.PhoneOptions) error {
	if !ident.Valid(u.Identifiant) {
		return invalid("identifiant", u.Identifiant, "want prénom.nom in lower case ([a-z0-9-], e.g. jeanne.dupont)")
	}
	if err := validName("given name", u.GivenName); err != nil {
		return err
	}
	if err := validName("family name", u.FamilyName); err != nil {
		return err
	}
	if u.NationalID != "" {
		rdn := pkix.RDNSequence{{{Type: oidCommonName, Value: u.NationalID}}}
		if _, err := cps.ParseSubject(rdn); err != nil {
			return invalid("national id", u.NationalID,
				"want 8+RPPS (11 digits), 0+ADELI (9), 3+FINESS/id or 5+SIRET/id ("+err.Error()+")")
		}
	}
	if u.Email != "" {
		e, err := ident.NormalizeEmail(u.Email)
		if err != nil {
			return invalid("e-mail", u.Email, "want a bare address like jeanne.dupont@chu.fr")
		}
		u.Email = e
	}
	if u.Mobile != "" {
		m, err := otp.ParsePhone(u.Mobile, phone)
		if err != nil {
			return invalid("mobile", u.Mobile, "want a mobile number like 06 12 34 56 78 or +33612345678 ("+err.Error()+")")
		}
		u.Mobile = m
	}
	return nil
}

// ValidateEntity checks an entity before AddEntity: the id is [a-z0-9_-]{1,64} (it appears
// in phone CSV files and commands), the name non-empty printable text.
func ValidateEntity(e Entity) error {
	if e.ID == "" || len(e.ID) > 64 || strings.IndexFunc(e.ID, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) >= 0 {
		return invalid("entity id", e.ID, "want 1-64 of [a-z0-9_-], e.g. samu75")
	}
	return validName("entity name", e.Name)
}

// ValidateProfileLabel checks a profile label (non-empty printable text).
func ValidateProfileLabel(label string) error { return validName("profile label", label) }

func validName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid(field, s, "empty")
	}
	if strings.TrimSpace(s) != s || !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxName ||
		strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return invalid(field, s, fmt.Sprintf("want printable text of at most %d characters, no surrounding spaces", maxName))
	}
	return nil
}
