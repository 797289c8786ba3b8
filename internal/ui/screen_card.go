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
		obj:    container.NewVBox(title(T("unknown.title")), para(T("unknown.body")), u.fallbackRow(), buttons(back)),
		submit: u.cancel,
	}
}

// signingInPage is StepSigningIn. While the portal call runs: "Connexion … en cours…" and
// « Annuler ». When it failed (the engine stays on the step with Err set and no Busy): a
// failure title, the card still in the reader, « Réessayer » (agent.ChooseCard: the card is
// read again and the PIN asked again, never reused) and « Annuler »; Enter retries. The
// error sentence itself is in the status strip under the screen.
func (u *UI) signingInPage(s agent.Snapshot) *page {
	return u.retryPage(s, "wait.signing_in", "wait.failed_title", "wait.failed_body")
}

// retryPage is a wait with nothing to type (« Veuillez patienter », then the waiting text)
// that turns, once the call failed (Err set, no longer busy), into failTitle and failBody
// with « Réessayer » (agent.ChooseCard; Enter does the same) beside « Annuler ». The keys
// are message keys; the error sentence itself is in the status strip.
func (u *UI) retryPage(s agent.Snapshot, waiting, failTitle, failBody string) *page {
	head, body := title(""), para("")
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	retry := primary(T("action.retry"), func() { u.send(agent.ChooseCard{}) })
	failed := func(s agent.Snapshot) bool { return s.Err != nil && !s.Busy }
	refresh := func(s agent.Snapshot) {
		if failed(s) {
			head.SetText(T(failTitle))
			body.SetText(T(failBody))
			retry.Show()
		} else {
			head.SetText(T("wait.title"))
			body.SetText(T(waiting))
			retry.Hide()
		}
	}
	refresh(s)
	submit := func() {
		if failed(u.snap) {
			u.send(agent.ChooseCard{})
		}
	}
	obj := container.NewVBox(head, body, buttons(cancel, retry))
	return &page{obj: obj, refresh: refresh, submit: submit}
}

// blockedPage is StepCardBlocked: the PIN is blocked; how to unblock it, factually.
func (u *UI) blockedPage(s agent.Snapshot) *page {
	back := widget.NewButton(T("action.back"), u.cancel)
	unblock := func() { u.send(agent.OpenCardUnblock{}) }
	body := container.NewVBox(
		title(T("blocked.title")),
		para(T("blocked.body")),
		para("• "+T("blocked.puk")),
		para("• "+T("blocked.issuer")),
		para("• "+T("blocked.ecps")),
		u.fallbackRow(),
		buttons(back, primary(T("unblock.open"), unblock)),
	)
	return &page{obj: container.NewVScroll(body), submit: unblock}
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

// cardHolder is "Carte de Jean Dupont", or the card line while the holder is not read yet.
func cardHolder(s agent.Snapshot) string {
	name := holderName(s)
	if name == "" {
		return cardLine(s)
	}
	return T("pin.holder", map[string]any{"Name": name})
}
