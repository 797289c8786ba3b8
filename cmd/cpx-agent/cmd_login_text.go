package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// printSession prints the session: one JSON line {"session": …} or French text for operators.
// The session token is never printed.
func printSession(w io.Writer, asJSON bool, s api.Session) {
	if asJSON {
		json.NewEncoder(w).Encode(map[string]any{"session": s})
		return
	}
	fmt.Fprintf(w, "Connecté : %s %s (%s)\n", s.User.GivenName, s.User.FamilyName, s.User.NationalID)
	if s.Profile != nil {
		fmt.Fprintf(w, "Profil : %s — %s\n", s.Profile.Label, s.Profile.Entity.Name)
	}
	if s.Phone != "" {
		fmt.Fprintf(w, "Téléphone lié : %s\n", s.Phone)
	}
	fmt.Fprintf(w, "Session %s, expire à %s\n", s.ID, s.ExpiresAt.Local().Format(time.TimeOnly))
	if len(s.RequiredActions) > 0 {
		fmt.Fprintf(w, "Étapes restantes : %s\n", strings.Join(s.RequiredActions, ", "))
	}
}

func frenchEvent(e api.Event) string {
	switch e.Type {
	case api.EventPhoneTakenOver:
		return fmt.Sprintf("Le téléphone %s a été repris par %s.", e.Phone, e.By)
	case api.EventExpiring:
		return fmt.Sprintf("La session expire à %s.", e.Expires.Local().Format(time.TimeOnly))
	case api.EventExpired:
		return "La session a expiré."
	case api.EventRevoked:
		return "La session a été révoquée par un administrateur."
	case api.EventSignedOut:
		return "Session fermée."
	}
	return "Événement : " + e.Type
}

// frenchError says what went wrong and what to do, for IT staff at the workstation.
func frenchError(err error) string {
	var pe *token.PINError
	switch {
	case errors.As(err, &pe) && pe.Tries.AfterFailure(3) > 0:
		return fmt.Sprintf("code PIN incorrect, %d essai(s) restant(s) : vérifiez-le avant de réessayer", pe.Tries.AfterFailure(3))
	case errors.Is(err, token.ErrPINLocked):
		return "carte bloquée : débloquez-la avec le code PUK"
	case errors.Is(err, token.ErrPINIncorrect):
		return "code PIN incorrect"
	case errors.Is(err, token.ErrPINFormat):
		return "le code PIN comporte 4 chiffres"
	case errors.Is(err, token.ErrModuleMissing):
		return "module PKCS#11 introuvable : installez la Cryptolib CPS ou indiquez --module"
	case errors.Is(err, token.ErrNoToken):
		return "aucune carte dans le lecteur : insérez la carte"
	case errors.Is(err, token.ErrTokenRemoved):
		return "carte retirée pendant l'opération"
	}
	switch api.CodeOf(err) {
	case api.CodeCardUnknown:
		return "carte inconnue du portail : demandez l'enrôlement de votre compte (" + api.CodeCardUnknown + ")"
	case api.CodeCertExpired:
		return "certificat de la carte expiré : demandez une nouvelle carte (" + api.CodeCertExpired + ")"
	case api.CodeCertRevoked:
		return "carte révoquée (" + api.CodeCertRevoked + ")"
	case api.CodeCertUntrusted:
		return "carte non reconnue par le portail (" + api.CodeCertUntrusted + ")"
	case api.CodePhoneTaken:
		return fmt.Sprintf("téléphone déjà lié à la session de %s : relancez avec --takeover pour le reprendre (%s)",
			api.DetailOf(err, "holder"), api.CodePhoneTaken)
	case api.CodePhoneUnknown:
		return "numéro de téléphone inconnu dans l'entité du profil (" + api.CodePhoneUnknown + ")"
	case api.CodeProfileRequired:
		return "choisissez d'abord un profil avec --profile ID (" + api.CodeProfileRequired + ")"
	case api.CodeSessionExpired, api.CodeSessionRevoked:
		return "session terminée : reconnectez-vous (" + api.CodeOf(err) + ")"
	case api.CodeProfileUnknown:
		return "profil inconnu (" + api.CodeProfileUnknown + ")"
	}
	return err.Error()
}
