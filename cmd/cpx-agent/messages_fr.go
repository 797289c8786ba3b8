package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/cardtoken"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/token"
	"github.com/cpx-agent/cpx-agent/internal/ui"
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

// Local codes of situations only the command line meets (the others are the keys of
// agent.MessageKey, the same as the GUI's).
const (
	codeNoCard           = "no_card"
	codeReaderNotFound   = "reader_not_found"
	codeKeyNotFound      = "key_not_found"
	codeNoInput          = "no_input"
	codeInterrupted      = "interrupted"
	codeMultipleProfiles = "profile_choice"
	codeStreamLost       = "event_stream_lost"
	codePINIncorrect     = agent.KeyPINIncorrect
	codePINFormat        = agent.KeyPINFormat
	codePortalUnreach    = agent.KeyPortalUnreachable
)

// One vocabulary: an error's message is the sentence of its key in the GUI's table
// (ui.Sentence("err."+key)), followed on the command line by what to type (cliHints).

// cliHints are what the command line adds to the table's sentence.
var cliHints = map[string]string{
	api.CodePhoneTaken:         "Relancez avec --takeover pour le reprendre.",
	api.CodeProfileUnknown:     "Relancez sans --profile pour voir vos profils.",
	api.CodeProfileRequired:    "Indiquez-le avec --profile ID.",
	api.CodePhoneUnknown:       "Vérifiez --phone.",
	api.CodeDeliveryFailed:     "Vous pouvez aussi choisir un autre canal (--channel).",
	api.CodeInvalidRequest:     "Mettez cpx-agent à jour si cela persiste.",
	agent.KeyModuleMissing:     "Ou indiquez le module avec --module.",
	agent.KeyPINLocked:         "Débloquez-la avec votre code PUK.",
	agent.KeyPortalCertificate: "Vérifiez --ca (ou portal_ca dans la configuration du poste).",
}

// sentence is key's sentence in the table, with the command line's hint.
func sentence(key string, data map[string]any) string {
	s := ui.Sentence("err."+key, data)
	if h := cliHints[key]; h != "" && s != "" {
		s += " " + h
	}
	return s
}

// portalMessages: the command line's sentence of each stable portal code (also of the final
// events of a session, whose types are codes), from the one table.
var portalMessages = func() map[string]string {
	m := map[string]string{}
	for _, code := range api.Codes() {
		m[code] = sentence(code, map[string]any{"Holder": "une autre personne"})
	}
	return m
}()

// keyExits: the exit code of an error key (exitcodes.go); exitError otherwise.
var keyExits = map[string]int{
	agent.KeyPINIncorrect: exitRefused, agent.KeyPINLocked: exitCardLocked, agent.KeyPINFormat: exitUsage,
	api.CodePhoneTaken: exitRefused,
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
	if e, ok := describeCardAdmin(err); ok {
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		return cliError{Code: codeInterrupted, Message: "Interrompu.", exit: exitError}
	case errors.Is(err, errNoInput):
		return cliError{Code: codeNoInput, Message: err.Error(), exit: exitUsage}
	case errors.Is(err, token.ErrNoToken):
		return cliError{Code: codeNoCard, Message: sentence(codeNoCard, nil), exit: exitError}
	case errors.Is(err, token.ErrKeyNotFound):
		return cliError{Code: codeKeyNotFound, Message: sentence(codeKeyNotFound, nil), exit: exitError}
	}
	if e, ok := errors.AsType[*api.Error](err); ok {
		return describePortal(e)
	}
	key := agent.MessageKey(cardtoken.EngineError(err))
	out := cliError{Code: key, Message: sentence(key, nil), exit: exitError}
	if x, ok := keyExits[key]; ok {
		out.exit = x
	}
	switch key {
	case agent.KeyPINIncorrect:
		if pe, ok := errors.AsType[*token.PINError](err); ok {
			n := pe.Tries.AfterFailure(3)
			out.TriesLeft = &n
			out.Message = triesSentence(n)
		}
	case agent.KeyPortalUnreachable, agent.KeyTimeout, agent.KeyPortalCertificate:
		out.Message += fmt.Sprintf(" Adresse du portail : %s.", portalURL)
	case agent.KeyUnknown:
		out.Message += " Détail : " + err.Error()
	}
	return out
}

func (e *cliError) Error() string { return e.Message }

// triesSentence is the one wording of a wrong PIN for every command: the table's sentence and
// the tries left.
func triesSentence(left int) string {
	s := sentence(agent.KeyPINIncorrect, nil)
	switch {
	case left >= 2:
		return s + " " + ui.Sentence("pin.tries", map[string]any{"N": left}) + "."
	case left == 1:
		return s + " " + ui.Sentence("pin.one_try", nil) + "."
	}
	return s
}

func describePortal(e *api.Error) cliError {
	out := cliError{Code: e.Code, Message: portalMessages[e.Code], exit: exitError}
	if x, ok := pscExits[e.Code]; ok {
		out.exit = x
	}
	if x, ok := keyExits[e.Code]; ok {
		out.exit = x
	}
	switch e.Code {
	case api.CodePhoneTaken:
		if out.Holder = e.Details["holder"]; out.Holder != "" {
			out.Message = sentence(e.Code, map[string]any{"Holder": out.Holder})
		}
	case api.CodeOTPInvalid:
		if n, err := strconv.Atoi(e.Details["tries_left"]); err == nil {
			out.TriesLeft = &n
			out.Message += " " + plural(n, "essai restant", "essais restants") + "."
		}
	case api.CodeAccountLocked:
		if s, err := strconv.Atoi(e.Details["retry_after"]); err == nil && s > 0 {
			out.Message += fmt.Sprintf(" Réessayez dans %s.", plural((s+59)/60, "minute", "minutes"))
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
