package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// homePage is StepWaitingCard: insert the card, or pick one of seed 004's three methods.
// Enter picks "CPX".
func (u *UI) homePage(s agent.Snapshot) *page {
	logo := canvas.NewImageFromResource(Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(64, 64))

	cpx := primary(T("home.cpx"), func() { u.send(agent.ChooseCard{}) })
	otp := widget.NewButton(T("home.otp"), func() { u.send(agent.ChooseOTP{}) })
	psc := widget.NewButton(T("home.psc"), func() { u.send(agent.ChoosePSC{}) })
	settings := widget.NewButton(T("home.settings"), func() { u.send(agent.OpenSettings{}) })
	settings.Importance = widget.LowImportance

	// A card may already be in the reader (the user cancelled, or a sign-in failed): then
	// the screen says so instead of asking to insert it.
	insert := para("")
	refresh := func(s agent.Snapshot) {
		if s.Card != nil {
			insert.SetText(T("home.card_in"))
		} else {
			insert.SetText(T("home.insert"))
		}
	}
	refresh(s)
	body := container.NewVBox(
		container.NewCenter(logo),
		title(T("home.title")),
		insert,
		widget.NewLabel(T("home.methods")),
		container.NewGridWithColumns(3, cpx, otp, psc),
		layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), settings),
	)
	return &page{obj: body, refresh: refresh, submit: func() { u.send(agent.ChooseCard{}) }}
}

// waitPage is a step with nothing to type: the card being read, the sign-in under way. A card
// that could not be read (the PIN screen shows first, so this is mostly that case) gets its
// own title and « Réessayer » (Enter), which reads it again.
func (u *UI) waitPage(s agent.Snapshot) *page {
	if s.Step == agent.StepCardPresent {
		return u.retryPage(s, "wait.card_present", "wait.card_failed_title", "wait.card_failed_body")
	}
	return u.signingInPage(s)
}
