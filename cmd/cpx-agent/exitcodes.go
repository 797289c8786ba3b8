package main

import (
	"fmt"
	"io"
)

// Exit codes shared by `card info`, `login card`, `login otp` and `login psc` (documented in docs/portal.md
// and printed by `cpx-agent login --help`). Scripts rely on them: never renumber.
const (
	exitOK           = 0
	exitError        = 1 // anything else (French message on stderr)
	exitUsage        = 2 // bad flags or arguments, or a PIN that is not 4 digits (no try used)
	exitRefused      = 3 // wrong PIN (a try was used), or phone held by another session (--takeover)
	exitCardLocked   = 4 // card blocked (PIN locked): unblock it with the PUK
	exitSessionEnded = 5 // --watch: the session expired, was revoked, or cannot be reached any more
	// login psc (docs/psc.md)
	exitPSCDenied      = 6 // refused in the e-CPS app (or in PSC's page), or cancelled
	exitPSCExpired     = 7 // not validated in time
	exitPSCUnavailable = 8 // Pro Santé Connect unreachable, or not configured on the portal
	exitPSCRefused     = 9 // PSC's answer refused by the portal (acr, token) or a broken browser handoff
)

// exitPhoneHeld is the historical name of exitRefused for a phone held by another session.
const exitPhoneHeld = exitRefused

// exitCodeTable is the French table printed by the login commands' --help.
var exitCodeTable = []struct {
	code int
	text string
}{
	{exitOK, "terminé"},
	{exitError, "erreur (message en français sur la sortie d'erreur)"},
	{exitUsage, "utilisation incorrecte (options, ou code PIN qui n'a pas 4 chiffres)"},
	{exitRefused, "refusé : code PIN incorrect, ou téléphone lié à une autre session (--takeover)"},
	{exitCardLocked, "carte bloquée : débloquez-la avec le code PUK"},
	{exitSessionEnded, "--watch : session expirée, révoquée ou injoignable"},
	{exitPSCDenied, "login psc : connexion refusée dans l'application e-CPS, ou annulée"},
	{exitPSCExpired, "login psc : demande non validée à temps"},
	{exitPSCUnavailable, "login psc : Pro Santé Connect injoignable ou non configuré sur le portail"},
	{exitPSCRefused, "login psc : réponse de Pro Santé Connect refusée (niveau d'authentification, jeton, retour du navigateur)"},
}

func printExitCodes(w io.Writer) {
	fmt.Fprintln(w, "\nCodes de sortie :")
	for _, e := range exitCodeTable {
		fmt.Fprintf(w, "  %d  %s\n", e.code, e.text)
	}
}
