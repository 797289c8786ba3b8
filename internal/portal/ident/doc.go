// Package ident builds and normalises sign-in identifiants of cpx-portal accounts.
//
// An identifiant has the form prénom.nom (seed 000: "l'identifiant de connexion est de la
// forme prénom.nom de l'utilisateur, éventuellement additionné d'un chiffre si un ou plusieurs
// utilisateurs aux nom et prénom similaires sont déjà connus"), in lower-case ASCII:
//
//   - accents are folded (NFD, then combining marks dropped): "Hélène" → "helene";
//     ligatures and letters without a decomposition are spelled out: "Œ" → "oe", "ß" → "ss";
//   - hyphens and spaces inside a name become one hyphen: "Jean-Luc" and "Jean Luc" → "jean-luc";
//   - apostrophes are dropped: "D'Arc" → "darc", so "Jean-Luc D'Arc" → "jean-luc.darc";
//   - any other character is dropped; a name left empty is refused (ErrInvalidName);
//   - on a homonym, a number is appended: "jean.dupont", then "jean.dupont1", "jean.dupont2" …
//     up to MaxSuffix (ErrExhausted after).
//
// API for the portal:
//
//	id, err := ident.Make(given, family, func(id string) (bool, error) { return store.IdentifiantTaken(ctx, id) })
//	norm, kind, err := ident.Normalize(typed)      // at sign-in: identifiant or e-mail
//	userID, err := ident.Resolve(ctx, dir, typed)  // identifiant, or e-mail when it is unique
//
// Make is not atomic: the store must also hold a UNIQUE constraint on the identifiant and retry
// Make when the insert fails on it. Resolve answers ErrNotFound both for an unknown identifiant
// and for an e-mail shared by several accounts (ErrAmbiguous wraps ErrNotFound), so the caller
// answers api.CodeCredentials for both and cannot leak which accounts exist.
package ident
