package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// bindingCodeColour reads on the light and the dark theme alike.
var bindingCodeColour = color.NRGBA{R: 0x1f, G: 0x6f, B: 0xd0, A: 0xff}

// clockNow is the time the push countdown counts from (tests fix it for the goldens).
var clockNow = time.Now

// pscPage is StepPSC: the national id (pre-filled by the engine), a push to the e-CPS app
// (default, Enter) or the browser flow.
func (u *UI) pscPage(s agent.Snapshot) *page {
	id := newKeyEntry(u.cancel)
	id.SetPlaceHolder("899700427885")
	shown := ""
	if s.PSC != nil {
		shown = s.PSC.NationalID
	}
	id.SetText(shown)
	refresh := func(s agent.Snapshot) { // the card's national id, read after the screen showed
		if s.PSC != nil && s.PSC.NationalID != shown && id.Text == shown {
			shown = s.PSC.NationalID
			id.SetText(shown)
		}
	}
	push := func() {
		if v := strings.TrimSpace(id.Text); v != "" && !u.snap.Busy {
			u.send(agent.StartPSCPush{NationalID: v})
		}
	}
	browser := func() {
		if !u.snap.Busy {
			u.send(agent.StartPSCBrowser{NationalID: strings.TrimSpace(id.Text)})
		}
	}
	id.OnSubmitted = func(string) { push() }
	body := container.NewVBox(title(T("psc.title")), para(T("psc.intro")),
		field(T("psc.national_id"), id),
		buttons(widget.NewButton(T("action.cancel"), u.cancel),
			newKeyButton(T("psc.browser"), nil, browser), primary(T("psc.push"), push)))
	return &page{obj: body, focus: id, submit: push, refresh: refresh}
}

// pscPushPage is StepPSCPush: the binding code shown large, what to check on the phone, and
// the time left until the request expires; Esc cancels the request on the portal.
func (u *UI) pscPushPage(s agent.Snapshot) *page {
	v := agent.PSCView{}
	if s.PSC != nil {
		v = *s.PSC
	}
	code := canvas.NewText(v.BindingCode, bindingCodeColour)
	code.TextSize, code.TextStyle, code.Alignment = 64, fyne.TextStyle{Bold: true}, fyne.TextAlignCenter
	left := widget.NewLabel("")
	left.Alignment = fyne.TextAlignCenter
	var tick func()
	tick = func() {
		if u.snap.Step != agent.StepPSCPush {
			return
		}
		left.SetText(T("psc.time_left", map[string]any{"Time": countdownText(v.ExpiresAt.Sub(clockNow()))}))
		later(time.Second, tick)
	}
	tick()
	body := container.NewVBox(title(T("psc.title")), container.NewCenter(code),
		para(T("psc.push_check")), left, buttons(widget.NewButton(T("action.cancel"), u.cancel)))
	return &page{obj: body}
}

// countdownText is « 1 min 47 s » (never negative).
func countdownText(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}

// pscBrowserPage is StepPSCBrowser: the sign-in goes on in the system browser.
func (u *UI) pscBrowserPage(s agent.Snapshot) *page {
	body := container.NewVBox(title(T("psc.title")), para(T("psc.body")),
		buttons(widget.NewButton(T("action.cancel"), u.cancel)))
	return &page{obj: body}
}

// fallbackRow is offered where the card cannot be used (blocked, not a CPx card): Pro Santé
// Connect first (the engine pre-fills the national id when the card is readable), then
// identifiant + password + code. Nothing is submitted by itself: each is a choice.
func (u *UI) fallbackRow() fyne.CanvasObject {
	psc := widget.NewButton(T("fallback.psc"), func() { u.send(agent.ChoosePSC{}) })
	otp := widget.NewButton(T("fallback.otp"), func() { u.send(agent.ChooseOTP{}) })
	return container.NewVBox(para(T("fallback.intro")), buttons(otp, psc))
}
