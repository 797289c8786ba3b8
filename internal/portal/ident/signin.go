package ident

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Kind tells what a typed sign-in name is.
type Kind int

// Kinds of sign-in names.
const (
	KindIdentifiant Kind = iota + 1
	KindEmail
)

var (
	// ErrNotFound means no account answers to the typed name.
	ErrNotFound = errors.New("ident: no such account")
	// ErrAmbiguous means an e-mail address belongs to several accounts; it wraps ErrNotFound
	// so that callers answering "credentials invalid" for ErrNotFound need no special case.
	ErrAmbiguous = fmt.Errorf("ident: e-mail shared by several accounts: %w", ErrNotFound)
	// ErrInvalidEmail means an address does not parse as a bare e-mail address.
	ErrInvalidEmail = errors.New("ident: invalid e-mail address")
)

// Normalize turns what a user typed at sign-in into the form stored by the portal: trimmed,
// lower-cased and folded like Make folds names for an identifiant ("Hélène.D'Arc " →
// "helene.darc"), or a
// normalised e-mail address (see NormalizeEmail) when it contains "@".
func Normalize(input string) (string, Kind, error) {
	s := strings.TrimSpace(input)
	if s == "" || len(s) > maxLen*2 {
		return "", 0, ErrInvalid
	}
	if strings.Contains(s, "@") {
		e, err := NormalizeEmail(s)
		if err != nil {
			return "", 0, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return e, KindEmail, nil
	}
	given, family, _ := strings.Cut(s, ".")
	id := namePart(given) + "." + namePart(family)
	if !Valid(id) {
		return "", 0, ErrInvalid
	}
	return id, KindIdentifiant, nil
}

// NormalizeEmail validates a bare address (no display name) with net/mail and returns it
// trimmed and lower-cased. Local parts are treated case-insensitively, as every mainstream
// mail system does.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", ErrInvalidEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrInvalidEmail
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(a.Address, " \t\r\n\"") {
		return "", ErrInvalidEmail
	}
	return strings.ToLower(a.Address), nil
}

// Directory is what Resolve needs from the account store.
type Directory interface {
	// ByIdentifiant returns the id of the account with this (normalised) identifiant.
	ByIdentifiant(ctx context.Context, identifiant string) (userID string, found bool, err error)
	// ByEmail returns the ids of every account with this (normalised) e-mail address.
	ByEmail(ctx context.Context, email string) (userIDs []string, err error)
}

// Resolve finds the account a typed sign-in name designates: an identifiant, or an e-mail
// address when exactly one account has it (seed 003: "Saisir votre identifiant / e-mail").
// It returns ErrNotFound (or ErrAmbiguous, which wraps it) when there is no single account.
func Resolve(ctx context.Context, dir Directory, input string) (string, error) {
	name, kind, err := Normalize(input)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if kind == KindIdentifiant {
		id, found, err := dir.ByIdentifiant(ctx, name)
		if err != nil {
			return "", fmt.Errorf("ident: look up identifiant: %w", err)
		}
		if !found {
			return "", ErrNotFound
		}
		return id, nil
	}
	ids, err := dir.ByEmail(ctx, name)
	if err != nil {
		return "", fmt.Errorf("ident: look up e-mail: %w", err)
	}
	switch len(ids) {
	case 0:
		return "", ErrNotFound
	case 1:
		return ids[0], nil
	default:
		return "", ErrAmbiguous
	}
}
