package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

func readMessages(t *testing.T, code string) map[string]string {
	t.Helper()
	data, err := translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// TestTranslationsComplete: French and English have the same keys, every template parses,
// every key the code asks for exists, and every key the engine can produce is translated.
func TestTranslationsComplete(t *testing.T) {
	fr, en := readMessages(t, "fr"), readMessages(t, "en")
	for k, v := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("%s: in fr.json, missing in en.json", k)
		}
		for _, text := range []string{v, en[k]} {
			if _, err := template.New(k).Parse(text); err != nil {
				t.Errorf("%s: bad template: %v", k, err)
			}
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("%s: in en.json, missing in fr.json", k)
		}
	}
	for _, k := range literalKeys(t) {
		if _, ok := fr[k]; !ok {
			t.Errorf("T(%q) used in the code, missing in fr.json", k)
		}
	}
	for _, k := range agent.MessageKeys() {
		_, b := fr["busy."+k]
		_, n := fr["notice."+k]
		_, e := fr["err."+k]
		if !b && !n && !e {
			t.Errorf("engine key %q has no busy./notice./err. message", k)
		}
	}
}

// literalKeys lists the string literals passed to T in the package's Go files.
func literalKeys(t *testing.T) []string {
	files, _ := filepath.Glob("*.go")
	var keys []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if id, isID := fun(call); ok && isID && id == "T" && len(call.Args) > 0 {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok {
					k, _ := strconv.Unquote(lit.Value)
					keys = append(keys, k)
				}
			}
			return true
		})
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d T(...) keys: the scan is broken", len(keys))
	}
	return keys
}

func fun(call *ast.CallExpr) (string, bool) {
	if call == nil {
		return "", false
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

func TestLanguageSwitchEN(t *testing.T) {
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepWaitingCard})
	requireText(t, u, "Introduisez votre carte professionnelle dans le lecteur")
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetLanguage("fr") })
	u.rebuild()
	requireText(t, u, "Insert your professional card in the reader")
	u.apply(agent.Snapshot{Step: agent.StepPIN, TriesLeft: 1, Err: &agent.PINError{TriesLeft: 1}})
	requireText(t, u, "Warning: last try before the card is blocked")
	requireText(t, u, "Wrong PIN")
	if err := SetLanguage("fr"); err != nil {
		t.Fatal(err)
	}
	u.rebuild()
	requireText(t, u, "Attention : dernier essai avant blocage de la carte")
	if err := SetLanguage("de"); err == nil {
		t.Fatal("SetLanguage(de) did not fail")
	}
}

func TestSettingsLanguageSelect(t *testing.T) {
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepSettings})
	t.Cleanup(func() { _ = SetLanguage("fr") })
	sel := findSelect(t, u)
	sel.SetSelected("English")
	requireText(t, u, "Settings / Diagnostics")
	if currentLanguage() != "en" {
		t.Fatal("current language is not en after choosing English")
	}
}

func TestIconInSync(t *testing.T) {
	asset, err := os.ReadFile("../../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	if string(asset) != string(iconPNG) {
		t.Fatal("assets/icon.png differs from internal/ui/icon.png: run go generate ./internal/ui")
	}
}
