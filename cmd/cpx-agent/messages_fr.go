package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// cliError is how `card info`, `login card` and `login otp` report a failure: a stable code
// (the portal's api.Code* or a local one), a French sentence that says what to do next, and
// the exit code (exitcodes.go). It is printed on stderr, and with --json also as one line
// {"error": …} on stdout. It never carries a PIN, password, code or token.
type cliError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Holder    string `json:"holder,omitempty"`
	TriesLeft *int   `json:"tries_left,omitempty"`
	exit      int
}

// Local codes (errors that do not come from the portal).
const (
	codePINIncorrect     = "pin_incorrect"
	codePINLocked        = "pin_locked"
	codePINFormat        = "pin_format"
	codeModuleMissing    = "module_missing"
	codeNoCard           = "no_card"
	codeReaderNotFound   = "reader_not_found"
	codeCardRemoved      = "card_removed"
	codeKeyNotFound      = "key_not_found"
	codePortalUnreach    = "portal_unreachable"
	codePortalCert       = "portal_certificate"
	codeNoInput          = "no_input"
	codeInterrupted      = "interrupted"
	codeMultipleProfiles = "profile_choice"
	codeStreamLost       = "event_stream_lost"
	codeOther            = "error"
)

// portalMessages: French sentence for each stable portal code (TestEveryPortalCodeHasFrench).
var portalMessages = map[string]string{
	api.CodeInvalidRequest:   "Requête refusée par le portail : mettez cpx-agent à jour ou contactez le support informatique.",
	api.CodeUnauthenticated:  "Le portail n'a pas reconnu la connexion : reconnectez-vous.",
	api.CodeSessionExpired:   "La session a expiré : reconnectez-vous.",
	api.CodeSessionRevoked:   "La session a été révoquée par un administrateur : reconnectez-vous.",
	api.CodeCertUntrusted:    "Carte non reconnue par le portail (autorité de certification inconnue) : contactez le support informatique.",
	api.CodeCertExpired:      "Le certificat de la carte a expiré : demandez une nouvelle carte.",
	api.CodeCertRevoked:      "Carte révoquée : demandez une nouvelle carte.",
	api.CodeCertUsage:        "Le certificat de la carte ne permet pas l'authentification : contactez le support informatique.",
	api.CodeCardUnknown:      "Compte inconnu ou désactivé pour cette carte : contactez le support informatique.",
	api.CodeForbidden:        "Vous n'êtes pas habilité à utiliser le SI-SAMU : contactez votre responsable.",
	api.CodeProfileUnknown:   "Profil inconnu : relancez sans --profile pour voir vos profils.",
	api.CodeProfileRequired:  "Choisissez d'abord un profil avec --profile ID.",
	api.CodePhoneUnknown:     "Ce numéro ne correspond à aucun téléphone de l'entité du profil : vérifiez --phone.",
	api.CodePhoneTaken:       "Téléphone déjà lié à une autre session : relancez avec --takeover pour le reprendre.",
	api.CodeCredentials:      "Le couple identifiant/mot de passe est incorrect : vérifiez-les et réessayez.",
	api.CodeAccountLocked:    "Compte verrouillé après trop d'essais : réessayez plus tard ou contactez le support informatique.",
	api.CodePasswordPolicy:   "Le mot de passe ne respecte pas les règles : choisissez-en un autre.",
	api.CodePasswordMismatch: "Les deux mots de passe ne sont pas identiques.",
	api.CodePasswordExpired:  "Votre mot de passe a expiré : changez-le dans l'application.",
	api.CodePasswordReused:   "Ce mot de passe a déjà été utilisé : choisissez-en un autre.",
	api.CodeOTPInvalid:       "Code incorrect : vérifiez-le et réessayez.",
	api.CodeOTPExpired:       "Le code a expiré : reconnectez-vous pour en recevoir un nouveau.",
	api.CodeOTPTriesExceeded: "Trop de codes incorrects : reconnectez-vous pour en recevoir un nouveau.",
	api.CodeOTPResendTooSoon: "Un code vient d'être envoyé : attendez un peu avant d'en demander un autre.",
	api.CodeOTPResendCap:     "Trop de codes envoyés : réessayez plus tard.",
	api.CodeNoChannel:        "Aucun moyen de recevoir un code (e-mail ou SMS) n'est enregistré : contactez le support informatique.",
	api.CodeChannelInvalid:   "Adresse e-mail ou numéro de mobile invalide.",
	api.CodeDeliveryFailed:   "Le code n'a pas pu être envoyé : réessayez, ou choisissez un autre canal (--channel).",
	api.CodeCaptchaInvalid:   "Le texte de l'image ne correspond pas : réessayez.",
	api.CodeLinkInvalid:      "Ce lien n'est plus valable : recommencez la procédure.",
	api.CodeRateLimited:      "Trop de demandes : attendez quelques minutes avant de réessayer.",
	api.CodeNotFound:         "Le portail ne connaît pas cette demande : mettez cpx-agent à jour.",
	api.CodeInternal:         "Erreur interne du portail : réessayez, puis contactez le support informatique.",
	api.CodePSCUnavailable:   "Pro Santé Connect est injoignable (ou non configuré sur le portail) : réessayez dans quelques minutes ou connectez-vous avec votre carte CPx.",
	api.CodePSCDenied:        "La connexion a été refusée dans l'application e-CPS.",
	api.CodePSCExpired:       "La demande n'a pas été validée à temps dans l'application e-CPS : recommencez.",
	api.CodePSCCancelled:     "La connexion Pro Santé Connect a été annulée.",
	api.CodePSCACRTooLow:     "Le niveau d'authentification Pro Santé Connect ne suffit pas pour le SI-SAMU : contactez le support informatique.",
	api.CodePSCACRMissing:    "Pro Santé Connect n'a pas indiqué le niveau d'authentification : la connexion est refusée, contactez le support informatique.",
	api.CodePSCTokenInvalid:  "La réponse de Pro Santé Connect n'a pas pu être vérifiée par le portail : contactez le support informatique.",
	api.CodePSCStateInvalid:  "Cette connexion par le navigateur n'est plus valable : recommencez depuis cpx-agent.",
	api.CodePSCHandoffFailed: "Le retour du navigateur n'a pas pu être vérifié : recommencez depuis cpx-agent.",
}

// pscExits: the exit code of each Pro Santé Connect refusal (exitcodes.go).
var pscExits = map[string]int{
	api.CodePSCDenied: exitPSCDenied, api.CodePSCCancelled: exitPSCDenied, api.CodePSCExpired: exitPSCExpired,
	api.CodePSCUnavailable: exitPSCUnavailable, api.CodePSCACRTooLow: exitPSCRefused, api.CodePSCACRMissing: exitPSCRefused,
	api.CodePSCTokenInvalid: exitPSCRefused, api.CodePSCStateInvalid: exitPSCRefused, api.CodePSCHandoffFailed: exitPSCRefused,
}

// describe turns err into the operator's message. portalURL names the portal in network errors.
func describe(err error, portalURL string) cliError {
	if ce, ok := errors.AsType[*cliError](err); ok {
		return *ce
	}
	if e, ok := describeCard(err); ok {
		return e
	}
	if e, ok := errors.AsType[*api.Error](err); ok {
		return describePortal(e)
	}
	return describeOther(err, portalURL)
}

func (e *cliError) Error() string { return e.Message }

func describeCard(err error) (cliError, bool) {
	if e, ok := describeCardAdmin(err); ok {
		return e, true
	}
	if pe, ok := errors.AsType[*token.PINError](err); ok && !errors.Is(err, token.ErrPINLocked) {
		n := pe.Tries.AfterFailure(3)
		return cliError{Code: codePINIncorrect, Message: triesSentence(n), TriesLeft: &n, exit: exitRefused}, true
	}
	switch {
	case errors.Is(err, token.ErrPINLocked):
		return cliError{Code: codePINLocked, exit: exitCardLocked,
			Message: "Carte bloquée : code PIN saisi 3 fois de façon incorrecte. Débloquez-la avec votre code PUK."}, true
	case errors.Is(err, token.ErrPINIncorrect):
		return cliError{Code: codePINIncorrect, Message: "Code PIN incorrect.", exit: exitRefused}, true
	case errors.Is(err, token.ErrPINFormat):
		return cliError{Code: codePINFormat, Message: "Le code PIN comporte 4 chiffres.", exit: exitUsage}, true
	case errors.Is(err, token.ErrModuleMissing):
		return cliError{Code: codeModuleMissing, exit: exitError,
			Message: "Module PKCS#11 introuvable : installez la Cryptolib CPS (ou OpenSC), ou indiquez --module."}, true
	case errors.Is(err, token.ErrNoToken):
		return cliError{Code: codeNoCard, Message: "Aucune carte lisible dans le lecteur : insérez la carte CPx.", exit: exitError}, true
	case errors.Is(err, token.ErrTokenRemoved):
		return cliError{Code: codeCardRemoved, Message: "Carte retirée pendant l'opération : réinsérez-la et recommencez.", exit: exitError}, true
	case errors.Is(err, token.ErrKeyNotFound):
		return cliError{Code: codeKeyNotFound, Message: "Certificat d'authentification absent de la carte : contactez le support informatique.", exit: exitError}, true
	}
	return cliError{}, false
}

// triesSentence is the one wording of a wrong PIN for every command.
func triesSentence(left int) string {
	switch {
	case left >= 2:
		return fmt.Sprintf("Code PIN incorrect. Il vous reste %d essais.", left)
	case left == 1:
		return "Code PIN incorrect. Il vous reste 1 essai (dernier essai avant blocage)."
	}
	return "Code PIN incorrect."
}

func describePortal(e *api.Error) cliError {
	out := cliError{Code: e.Code, Message: portalMessages[e.Code], exit: exitError}
	if x, ok := pscExits[e.Code]; ok {
		out.exit = x
	}
	switch e.Code {
	case api.CodePhoneTaken:
		out.Holder, out.exit = e.Details["holder"], exitRefused
		if out.Holder != "" {
			out.Message = fmt.Sprintf("Téléphone déjà lié à la session de %s : relancez avec --takeover pour le reprendre.", out.Holder)
		}
	case api.CodeOTPInvalid:
		if n, err := strconv.Atoi(e.Details["tries_left"]); err == nil {
			out.TriesLeft = &n
			out.Message = fmt.Sprintf("Code incorrect : %s.", plural(n, "essai restant", "essais restants"))
		}
	case api.CodeAccountLocked:
		if s, err := strconv.Atoi(e.Details["retry_after"]); err == nil && s > 0 {
			out.Message = fmt.Sprintf("Compte verrouillé après trop d'essais : réessayez dans %s.", plural((s+59)/60, "minute", "minutes"))
		}
	}
	if out.Message == "" { // a code newer than this binary: the portal's own sentence
		out.Message = e.Message
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func describeOther(err error, portalURL string) cliError {
	switch {
	case errors.Is(err, context.Canceled):
		return cliError{Code: codeInterrupted, Message: "Interrompu.", exit: exitError}
	case errors.Is(err, errNoInput):
		return cliError{Code: codeNoInput, Message: err.Error(), exit: exitUsage}
	}
	if errors.Is(err, api.ErrPortalCertificate) {
		return cliError{Code: codePortalCert, exit: exitError, Message: fmt.Sprintf(
			"Le certificat du portail (%s) n'est pas reconnu : vérifiez --ca (ou portal_ca dans la configuration du poste).", portalURL)}
	}
	if errors.Is(err, api.ErrPortalUnreachable) || errors.Is(err, api.ErrPortalTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return cliError{Code: codePortalUnreach, exit: exitError, Message: fmt.Sprintf(
			"Le portail est injoignable : vérifiez l'adresse (%s) et le réseau.", portalURL)}
	}
	return cliError{Code: codeOther, Message: "Erreur : " + err.Error(), exit: exitError}
}

// report prints err for the operator (stderr, prefixed with the command) and, with asJSON, one
// {"error": …} line on stdout; it returns the exit code.
func report(stdout, stderr io.Writer, cmd string, asJSON bool, portalURL string, err error) int {
	e := describe(err, portalURL)
	fmt.Fprintf(stderr, "cpx-agent %s: %s\n", cmd, e.Message)
	if asJSON {
		_ = json.NewEncoder(stdout).Encode(map[string]any{"error": e})
	}
	return e.exit
}
