package ui

import (
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

// currentLanguage is the language the UI speaks now ("fr" or "en").
func currentLanguage() string {
	if T("lang.code") == "en" {
		return "en"
	}
	return "fr"
}
