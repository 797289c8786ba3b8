package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// browserPage is StepPSC and StepECPS: the user goes on in the browser (Pro Santé Connect,
// e-CPS activation); the agent waits.
func (u *UI) browserPage(s agent.Snapshot) *page {
	key := "psc"
	if s.Step == agent.StepECPS {
		key = "ecps"
	}
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewVBox(title(T(key+".title")), para(T(key+".body")), buttons(cancel))
	return &page{obj: body}
}

// settingsPage is StepSettings: workstation facts for IT staff and the language.
func (u *UI) settingsPage(s agent.Snapshot) *page {
	names := map[string]string{"fr": "Français", "en": "English"}
	options := []string{names["fr"], names["en"]}
	language := widget.NewSelect(options, nil)
	language.SetSelected(names[currentLanguage()])
	language.OnChanged = func(v string) {
		for code, name := range names {
			if name == v && code != currentLanguage() {
				u.opts.Lang = code
				if err := SetLanguage(code); err != nil {
					fyne.LogError("ui: language", err)
				}
				u.rebuild()
			}
		}
	}
	reader, card := T("settings.none"), T("settings.none")
	if s.Card != nil {
		reader = s.Card.Reader
		if line := strings.TrimSpace(s.Card.Generation + " " + s.Card.Serial); line != "" {
			card = line
		}
	}
	version := u.opts.Version
	if version == "" {
		version = "dev"
	}
	form := widget.NewForm(
		widget.NewFormItem(T("settings.language"), language),
		widget.NewFormItem(T("settings.reader"), widget.NewLabel(reader)),
		widget.NewFormItem(T("settings.card"), widget.NewLabel(card)),
		widget.NewFormItem(T("settings.version"), widget.NewLabel(version)),
	)
	back := primary(T("action.back"), u.cancel)
	body := container.NewVBox(title(T("settings.title")), form, buttons(back))
	return &page{obj: body, submit: u.cancel}
}

// currentLanguage is the language the UI speaks now ("fr" or "en").
func currentLanguage() string {
	if T("lang.code") == "en" {
		return "en"
	}
	return "fr"
}
