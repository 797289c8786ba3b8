package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// printSession prints the session: one JSON line {"session": …} or French text for operators.
// The session token is never printed.
func printSession(w io.Writer, asJSON bool, s api.Session) {
	if asJSON {
		json.NewEncoder(w).Encode(map[string]any{"session": s})
		return
	}
	name := s.User.GivenName + " " + s.User.FamilyName
	if s.User.NationalID != "" {
		name += " (" + s.User.NationalID + ")"
	}
	fmt.Fprintf(w, "Connecté : %s\n", name)
	if s.Method == api.MethodPSC {
		fmt.Fprintf(w, "Connexion : Pro Santé Connect, %s, niveau %s\n", authModeFR(s.AuthMode), orNone(s.ACR))
	}
	if s.Profile != nil {
		fmt.Fprintf(w, "Profil : %s — %s\n", s.Profile.Label, s.Profile.Entity.Name)
	}
	if s.Phone != "" {
		fmt.Fprintf(w, "Téléphone lié : %s\n", s.Phone)
	}
	fmt.Fprintf(w, "Session %s, expire à %s\n", s.ID, frenchTime(s.ExpiresAt, time.Now()))
	if len(s.RequiredActions) > 0 {
		steps := make([]string, len(s.RequiredActions))
		for i, a := range s.RequiredActions {
			steps[i] = requiredActionFR(a)
		}
		fmt.Fprintf(w, "Étapes restantes (dans l'application) : %s\n", strings.Join(steps, ", "))
	}
}

func frenchEvent(e api.Event) string {
	switch e.Type {
	case api.EventPhoneTakenOver:
		return fmt.Sprintf("Le téléphone %s a été repris par %s.", e.Phone, e.By)
	case api.EventExpiring:
		return fmt.Sprintf("La session expire à %s.", frenchTime(e.Expires, time.Now()))
	case api.EventExpired:
		return "La session a expiré."
	case api.EventRevoked:
		return "La session a été révoquée par un administrateur."
	case api.EventSignedOut:
		return "Session fermée."
	}
	return "Événement : " + e.Type
}

// requiredActionFR names a session's remaining step in French (the code itself if unknown).
func requiredActionFR(a string) string {
	fr := map[string]string{
		"link_phone":          "lier le téléphone",
		"set_password":        "définir le mot de passe",
		"set_otp_channels":    "choisir où recevoir les codes",
		"set_secret_question": "choisir la question secrète",
		"choose_profile":      "choisir le profil",
	}[a]
	if fr == "" {
		return a
	}
	return fr
}

// frenchTime is « 15 h 07 » today, « le 24/11 à 15 h 07 » another day (QA S3-8).
func frenchTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	hm := fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return hm
	}
	return fmt.Sprintf("le %02d/%02d à %s", t.Day(), int(t.Month()), hm)
}

// authModeFR names PSC's authMode for operators.
func authModeFR(m string) string {
	switch m {
	case "MOBILE":
		return "application e-CPS"
	case "CARD":
		return "carte CPx"
	}
	return orNone(m)
}

func orNone(s string) string {
	if s == "" {
		return "non indiqué"
	}
	return s
}
