package password

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
)

// Character sets of provisional passwords: no look-alikes (0/O, 1/l/I) since they are read
// from a mail and typed by hand.
const (
	genLower   = "abcdefghijkmnopqrstuvwxyz"
	genUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	genDigit   = "23456789"
	genSpecial = "@#&%!$"
)

// Provisional returns a random password that satisfies p, for enrolment (seed 001: "utilisez
// le mot de passe provisoire suivant"): max(p.MinLength, 12) characters, at least one of each
// class, drawn from crypto/rand. Store it hashed with must_change_password set.
func Provisional(p Policy) (string, error) {
	n := max(p.MinLength, 12)
	specials := genSpecial
	if p.Specials != "" {
		specials = keep(genSpecial, p.Specials)
	}
	sets := []string{genLower, genUpper, genDigit, specials}
	all := genLower + genUpper + genDigit + specials
	for range 100 {
		b := make([]byte, 0, n)
		for _, set := range sets {
			c, err := pick(set)
			if err != nil {
				return "", err
			}
			b = append(b, c)
		}
		for len(b) < n {
			c, err := pick(all)
			if err != nil {
				return "", err
			}
			b = append(b, c)
		}
		if err := shuffle(b); err != nil {
			return "", err
		}
		if len(p.Check(b, CheckContext{})) == 0 {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("password: cannot generate a password for policy %q", p.Name)
}

func keep(set, allowed string) string {
	out := strings.Map(func(r rune) rune {
		if strings.ContainsRune(allowed, r) {
			return r
		}
		return -1
	}, set)
	if out == "" {
		return allowed
	}
	return out
}

func pick(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, fmt.Errorf("password: random: %w", err)
	}
	return set[i.Int64()], nil
}

func shuffle(b []byte) error {
	for i := len(b) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return fmt.Errorf("password: random: %w", err)
		}
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return nil
}

// NormalizeAnswer puts a secret-question answer (seeds 000/002, "réponse secrète") in the form
// it is hashed and compared in: accent-folded, lower-case, inner spaces collapsed, trimmed,
// so "  Le  Havre " and "le havre" match. Hash it with Hasher.Hash like a password.
func NormalizeAnswer(s string) string {
	return strings.Join(strings.FieldsFunc(ident.Fold(s), unicode.IsSpace), " ")
}
