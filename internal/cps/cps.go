// Package cps reads the holder identity carried by an IGC-Santé certificate (CPS, CPE, CPA …
// cards, together "CPx"): the national identifier in the CN, the names in the multi-valued RDN
// (CN+SN+GN) and the profession in title. It imports the standard library only.
package cps

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Family is the card family a certificate belongs to.
type Family string

// Card families. The family is derived from the national identifier's type prefix: CPF and
// CDE cards cannot be told apart from CPS / CPE ones by the subject alone, their constants
// exist for callers that learn the family elsewhere (card data, configuration).
const (
	FamilyCPS     Family = "CPS" // health professional (RPPS or ADELI)
	FamilyCPF     Family = "CPF" // health professional in training
	FamilyCPE     Family = "CPE" // establishment staff (FINESS + staff id)
	FamilyCPA     Family = "CPA" // staff of an organisation identified by SIRET
	FamilyCDE     Family = "CDE" // establishment director
	FamilyUnknown Family = ""
)

// Errors returned by this package; match them with errors.Is.
var (
	// ErrNotCPx: the certificate does not carry a CPx national identifier.
	ErrNotCPx = errors.New("not a cpx certificate")
	// ErrMalformed: the subject looks like a CPx one but a field is malformed.
	ErrMalformed = errors.New("malformed cpx subject")
)

// Identity is the holder identity read from a certificate.
type Identity struct {
	Family     Family
	NationalID string // the CN as written: "8"+RPPS, "0"+ADELI, "3"+FINESS+"/"+id, "5"+SIRET+"/"+id
	RPPS       string // 11 digits, CPS with an RPPS number
	ADELI      string // 9 characters, CPS with an ADELI number (type prefix "0" removed)
	FINESS     string // 9 digits, CPE
	SIRET      string // 14 digits, CPA
	StaffID    string // the part after "/" (CPE, CPA)
	Surname    string
	GivenName  string
	Title      string // profession, e.g. "Médecin", "Carte de service santé ou social"
	NotBefore  time.Time
	NotAfter   time.Time
	SerialHex  string // certificate serial, lower-case hex
}

// DisplayName gives "Isabelle DONNAT-GADY": given name capitalised per word (and per hyphen
// part), surname upper case. It falls back to the national id when both names are empty.
func (id Identity) DisplayName() string {
	given := capitalise(id.GivenName)
	sur := strings.ToUpper(strings.TrimSpace(id.Surname))
	switch {
	case given != "" && sur != "":
		return given + " " + sur
	case given != "" || sur != "":
		return given + sur
	default:
		return id.NationalID
	}
}

func capitalise(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(r)
		}
		start = r == ' ' || r == '-' || r == '\''
	}
	return b.String()
}

// parseNationalID fills the identifier fields of id from the CN.
func parseNationalID(cn string, id *Identity) error {
	id.NationalID = cn
	if cn == "" {
		return fmt.Errorf("cps: empty common name: %w", ErrNotCPx)
	}
	if !utf8.ValidString(cn) {
		return fmt.Errorf("cps: common name is not utf-8: %w", ErrMalformed)
	}
	switch cn[0] {
	case '8':
		return parseRPPS(cn, id)
	case '0':
		return parseADELI(cn, id)
	case '3':
		return parseCPE(cn, id)
	case '5':
		return parseCPA(cn, id)
	}
	return fmt.Errorf("cps: unknown national id type %q: %w", cn[:1], ErrNotCPx)
}

func parseRPPS(cn string, id *Identity) error {
	if err := ValidateRPPS(cn[1:]); err != nil {
		return fmt.Errorf("cps: national id: %w", err)
	}
	id.Family, id.RPPS = FamilyCPS, cn[1:]
	return nil
}

func parseADELI(cn string, id *Identity) error {
	if err := ValidateADELI(cn[1:]); err != nil {
		return fmt.Errorf("cps: national id: %w", err)
	}
	id.Family, id.ADELI = FamilyCPS, cn[1:]
	return nil
}

func parseCPE(cn string, id *Identity) error {
	finess, staff, err := splitStaff(cn[1:])
	if err != nil {
		return err
	}
	if !allDigits(finess, 9) {
		return fmt.Errorf("cps: finess %q is not 9 digits: %w", finess, ErrMalformed)
	}
	id.Family, id.FINESS, id.StaffID = FamilyCPE, finess, staff
	return nil
}

func parseCPA(cn string, id *Identity) error {
	siret, staff, err := splitStaff(cn[1:])
	if err != nil {
		return err
	}
	if !allDigits(siret, 14) {
		return fmt.Errorf("cps: siret %q is not 14 digits: %w", siret, ErrMalformed)
	}
	id.Family, id.SIRET, id.StaffID = FamilyCPA, siret, staff
	return nil
}

// splitStaff splits "<structure>/<staff id>"; the staff id is 1-32 letters or digits.
func splitStaff(s string) (structure, staff string, err error) {
	structure, staff, ok := strings.Cut(s, "/")
	if !ok {
		return "", "", fmt.Errorf("cps: national id has no staff id after '/': %w", ErrMalformed)
	}
	if len(staff) == 0 || len(staff) > 32 || !alnumUpper(staff) {
		return "", "", fmt.Errorf("cps: staff id %q: %w", staff, ErrMalformed)
	}
	return structure, staff, nil
}

// ValidateRPPS checks an RPPS number (without the "8" type prefix): exactly 11 ASCII digits.
// No check digit is verified: no public ANS source we could read confirms the algorithm.
func ValidateRPPS(rpps string) error {
	if !allDigits(rpps, 11) {
		return fmt.Errorf("cps: rpps %q is not 11 digits: %w", rpps, ErrMalformed)
	}
	return nil
}

// ValidateADELI checks an ADELI number (without the "0" type prefix): 9 ASCII digits or
// upper-case letters (Corsican departments give "2A"/"2B"), at least one digit.
func ValidateADELI(adeli string) error {
	if len(adeli) != 9 || !alnumUpper(adeli) || strings.IndexAny(adeli, "0123456789") < 0 {
		return fmt.Errorf("cps: adeli %q is not 9 digits or letters: %w", adeli, ErrMalformed)
	}
	return nil
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
