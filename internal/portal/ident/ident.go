package ident

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxSuffix is the largest number Make appends to a homonym's identifiant.
const MaxSuffix = 99

// maxLen bounds an identifiant (and a typed sign-in name) in bytes.
const maxLen = 128

var (
	// ErrInvalidName means a given or family name has no letter or digit left after folding.
	ErrInvalidName = errors.New("ident: name has no usable letter")
	// ErrExhausted means every suffix up to MaxSuffix is taken.
	ErrExhausted = errors.New("ident: no free identifiant for this name")
	// ErrInvalid means a typed sign-in name is neither an identifiant nor an e-mail address.
	ErrInvalid = errors.New("ident: not an identifiant or e-mail address")
)

// Base returns the identifiant of a name before any homonym suffix: "prénom.nom".
func Base(given, family string) (string, error) {
	g, f := namePart(given), namePart(family)
	if g == "" || f == "" {
		return "", ErrInvalidName
	}
	id := g + "." + f
	if len(id) > maxLen-2 {
		return "", fmt.Errorf("ident: name too long: %w", ErrInvalidName)
	}
	return id, nil
}

// Make returns the first identifiant for the name that taken reports free: the base
// "prénom.nom", then "prénom.nom1" … "prénom.nomMaxSuffix".
func Make(given, family string, taken func(string) (bool, error)) (string, error) {
	base, err := Base(given, family)
	if err != nil {
		return "", err
	}
	for n := 0; n <= MaxSuffix; n++ {
		id := base
		if n > 0 {
			id += strconv.Itoa(n)
		}
		used, err := taken(id)
		if err != nil {
			return "", fmt.Errorf("ident: check %q: %w", id, err)
		}
		if !used {
			return id, nil
		}
	}
	return "", ErrExhausted
}

// Valid reports whether id has the shape of an identifiant Make can return:
// part "." part, parts of [a-z0-9] separated by single hyphens.
func Valid(id string) bool {
	if len(id) == 0 || len(id) > maxLen {
		return false
	}
	given, family, ok := strings.Cut(id, ".")
	return ok && validPart(given) && validPart(family)
}

func validPart(p string) bool {
	if p == "" || p[0] == '-' || p[len(p)-1] == '-' {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && p[i-1] != '-':
		default:
			return false
		}
	}
	return true
}
