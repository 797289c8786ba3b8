package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

//go:embed translations/*.json
var translations embed.FS

// Languages the UI ships, French first (the default and the fallback).
var Languages = []string{"fr", "en"}

var (
	frOnce sync.Once
	frMsgs map[string]string
)

// french returns the French messages, the fallback of every lookup: a workstation whose OS
// speaks neither French nor English still reads French, never a message key.
func french() map[string]string {
	frOnce.Do(func() {
		frMsgs = map[string]string{}
		if data, err := translations.ReadFile("translations/fr.json"); err == nil {
			_ = json.Unmarshal(data, &frMsgs)
		}
	})
	return frMsgs
}

// T returns the message of key in the current language. data fills {{.Field}} templates.
func T(key string, data ...any) string {
	fallback, ok := french()[key]
	if !ok {
		fallback = key
	}
	return lang.X(key, fallback, data...)
}

// Sentence is the French message of key with its {{.Field}} filled from data, without Fyne:
// the command line reads the same table as the GUI (err.<key> for an error's message key,
// agent.MessageKey). An unknown key is "".
func Sentence(key string, data map[string]any) string {
	text, ok := french()[key]
	if !ok {
		return ""
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return text
	}
	return b.String()
}

// hasMessage says whether key is a known message.
func hasMessage(key string) bool {
	_, ok := french()[key]
	return ok
}

// SetLanguage loads the UI's translations into Fyne's lang package. code "" follows the OS
// locale; "fr" or "en" overrides it. lang has no explicit language switch, so an override is
// registered under the OS locale's own tags, which then win the match on every OS.
func SetLanguage(code string) error {
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		return fmt.Errorf("ui: load translations: %w", err)
	}
	if code == "" {
		return nil
	}
	data, err := translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		return fmt.Errorf("ui: language %q not available (fr, en): %w", code, err)
	}
	sys := lang.SystemLocale()
	for _, loc := range []fyne.Locale{sys, fyne.Locale(sys.LanguageString()), "en"} {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			return fmt.Errorf("ui: load %s translations as %s: %w", code, loc, err)
		}
	}
	return nil
}
