package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	ptoken "github.com/cpx-agent/cpx-agent/internal/token"
	"github.com/cpx-agent/cpx-agent/internal/ui"
)

// Every stable portal code (read from internal/portal/api/errors.go, so a new code fails this
// test until it has a sentence) has a French sentence in the one table the GUI and the CLI
// share, and is in api.Codes.
func TestEveryPortalCodeHasFrench(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../internal/portal/api/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				code, _ := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				n++
				if portalMessages[code] == "" || ui.Sentence("err."+code, nil) == "" {
					t.Errorf("%s (%q) has no French sentence in the table (err.%s) or is missing from api.Codes", name.Name, code, code)
				}
			}
		}
	}
	if n < 30 {
		t.Fatalf("found only %d codes in api/errors.go", n)
	}
}

// S2-12 / S3-1: one wording and one exit code for PIN outcomes, no "essai(s)".
func TestPINOutcomes(t *testing.T) {
	wrong := func(left int) error {
		return fmt.Errorf("login: %w", &ptoken.PINError{TriesLeft: left, Tries: ptoken.PINTries{Known: true, Left: left}})
	}
	cases := []struct {
		err  error
		exit int
		msg  string
	}{
		{wrong(2), exitRefused, "Code PIN incorrect. Il vous reste 2 essais."},
		{wrong(1), exitRefused, "Code PIN incorrect. Il vous reste 1 essai (dernier essai avant blocage)."},
		{wrong(0), exitCardLocked, "Carte bloquée : code PIN saisi 3 fois de façon incorrecte. Débloquez-la avec votre code PUK."},
		{ptoken.ErrPINLocked, exitCardLocked, "Carte bloquée"},
		{ptoken.ErrPINFormat, exitUsage, "Le code PIN comporte 4 chiffres."},
		{noInput("PIN"), exitUsage, "aucun code PIN sur l'entrée standard"},
		{&api.Error{Code: api.CodePhoneTaken, Details: map[string]string{"holder": "CAMILLE MARTIN"}}, exitRefused,
			"Ce téléphone est déjà lié à la session de CAMILLE MARTIN. Relancez avec --takeover pour le reprendre."},
		{&api.Error{Code: api.CodeForbidden, Message: "not habilitated"}, exitError,
			"Vous n'avez pas les autorisations requises pour vous connecter sur cette application."},
		{&api.Error{Code: api.CodeOTPInvalid, Details: map[string]string{"tries_left": "1"}}, exitError,
			"Code incorrect. Vérifiez le code reçu et réessayez. 1 essai restant."},
		{&api.Error{Code: api.CodeAccountLocked, Details: map[string]string{"retry_after": "1200"}}, exitError,
			"Le compte a été verrouillé suite à un trop grand nombre d'échecs de connexion avec cet identifiant utilisateur."},
		{&api.Error{Code: api.CodeAccountLocked, Details: map[string]string{"retry_after": "1200"}}, exitError, "Réessayez dans 20 minutes."},
		{&api.Error{Code: "brand_new", Message: "Nouveau refus."}, exitError, "Nouveau refus."},
		{errors.New("boom"), exitError, "Détail : boom"},
	}
	for _, c := range cases {
		e := describe(c.err, "https://portal")
		if e.exit != c.exit || !strings.Contains(e.Message, c.msg) || strings.Contains(e.Message, "(s)") {
			t.Errorf("%v: exit %d %q, want %d and %q", c.err, e.exit, e.Message, c.exit, c.msg)
		}
	}
}

func TestFrenchTime(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)
	if got := frenchTime(time.Date(2026, 11, 23, 15, 7, 49, 0, time.Local), now); got != "15 h 07" {
		t.Errorf("today: %q", got)
	}
	if got := frenchTime(time.Date(2026, 11, 24, 3, 5, 0, 0, time.Local), now); got != "le 24/11 à 3 h 05" {
		t.Errorf("tomorrow: %q", got)
	}
}
