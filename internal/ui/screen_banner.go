package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// bannerPage is StepSignedIn: the communication banner, a wide low strip with the user,
// profile and entity, desk phone, session time left, notices live, and the actions.
func (u *UI) bannerPage(s agent.Snapshot) *page {
	who := widget.NewLabel("")
	who.TextStyle = fyne.TextStyle{Bold: true}
	profile, phone, left := widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	notice := widget.NewLabel("")
	notice.Importance = widget.WarningImportance
	notice.Truncation = fyne.TextTruncateEllipsis
	busy := widget.NewProgressBarInfinite()

	changePhone := newKeyButton(T("banner.phone"), Phone, func() { u.send(agent.OpenChangePhone{}) })
	lock := newKeyButton(T("banner.lock"), Lock, func() { u.send(agent.Lock{}) })
	out := newKeyButton(T("banner.signout"), theme.LogoutIcon(), func() { u.send(agent.SignOut{}) })
	var menu *keyButton
	menu = newKeyButton("", theme.MenuIcon(), func() { u.showBannerMenu(menu) })
	menu.Importance = widget.LowImportance

	refresh := func(s agent.Snapshot) {
		who.SetText(holderName(s))
		profile.SetText(sessionProfile(s))
		phone.SetText(T("banner.phone_value", map[string]any{"Phone": sessionPhone(s)}))
		left.SetText(T("banner.time_left", map[string]any{"Time": formatDuration(s.TimeLeft)}))
		text := noticeText(s)
		if text == "" {
			text = errorText(s.Err)
		}
		showText(notice, text)
		if s.Busy {
			busy.Show()
		} else {
			busy.Hide()
		}
	}
	refresh(s)
	info := container.NewHBox(who, widget.NewSeparator(), profile, widget.NewSeparator(), phone, widget.NewSeparator(), left)
	actions := container.NewHBox(changePhone, lock, out, menu)
	middle := container.NewStack(container.NewVBox(layout.NewSpacer(), notice, layout.NewSpacer()), busy)
	obj := container.NewBorder(nil, nil, container.NewCenter(info), container.NewCenter(actions), middle)
	return &page{obj: obj, refresh: refresh, bare: true}
}

// showBannerMenu opens the banner's drop-down menu. "Modifier mes canaux OTP" is the third
// item, where seed 004's guide says it is.
func (u *UI) showBannerMenu(anchor fyne.CanvasObject) {
	m := bannerMenu(u)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(m, u.win.Canvas(), pos)
}

func bannerMenu(u *UI) *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem(T("menu.phone"), func() { u.send(agent.OpenChangePhone{}) }),
		fyne.NewMenuItem(T("menu.password"), func() { u.send(agent.OpenChangePwd{}) }),
		fyne.NewMenuItem(T("menu.channels"), func() { u.send(agent.OpenChannels{}) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(T("menu.settings"), func() { u.send(agent.OpenSettings{}) }),
		fyne.NewMenuItem(T("menu.lock"), func() { u.send(agent.Lock{}) }),
		fyne.NewMenuItem(T("menu.signout"), func() { u.send(agent.SignOut{}) }),
	)
}

func sessionProfile(s agent.Snapshot) string {
	if s.Session == nil || s.Session.Profile == nil {
		return T("banner.no_profile")
	}
	return profileLabel(*s.Session.Profile)
}

func sessionPhone(s agent.Snapshot) string {
	if s.Session == nil || s.Session.Phone == "" {
		return T("banner.no_phone")
	}
	return s.Session.Phone
}
