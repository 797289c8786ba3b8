package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// unknownCardPage is StepCardUnknown: the card is not a CPx card.
func (u *UI) unknownCardPage(s agent.Snapshot) *page {
	back := primary(T("action.back"), u.cancel)
	return &page{
		obj:    container.NewVBox(title(T("unknown.title")), para(T("unknown.body")), buttons(back)),
		submit: u.cancel,
	}
}

// blockedPage is StepCardBlocked: the PIN is blocked; how to unblock it, factually.
func (u *UI) blockedPage(s agent.Snapshot) *page {
	back := primary(T("action.back"), u.cancel)
	body := container.NewVBox(
		title(T("blocked.title")),
		para(T("blocked.body")),
		para("• "+T("blocked.puk")),
		para("• "+T("blocked.issuer")),
		para("• "+T("blocked.ecps")),
		buttons(back),
	)
	return &page{obj: container.NewVScroll(body), submit: u.cancel}
}

// cardLine describes the card in the reader ("CPS3 — Virtual PCD 00 00"), "" when none.
func cardLine(s agent.Snapshot) string {
	if s.Card == nil {
		return ""
	}
	line := s.Card.Generation
	if line == "" {
		line = s.Card.Family
	}
	if s.Card.Reader != "" {
		if line != "" {
			line += " — "
		}
		line += s.Card.Reader
	}
	return line
}

// cardHolder is the label "Carte de Jean Dupont", or nothing.
func cardHolder(s agent.Snapshot) *widget.Label {
	name := holderName(s)
	if name == "" {
		return para(cardLine(s))
	}
	return para(T("pin.holder", map[string]any{"Name": name}))
}
