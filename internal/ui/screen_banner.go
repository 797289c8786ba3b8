package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// bannerNoticeHeight is the banner's height while a notice or an error is shown: the strip
// plus a second line that holds the whole sentence (never cut).
const bannerNoticeHeight = 100

// bannerWindowSize is the banner window's size for the current snapshot: one strip, or two
// lines while a notice or an error is up.
func (u *UI) bannerWindowSize() fyne.Size {
	if bannerMessage(u.snap) == "" {
		return bannerSize
	}
	return fyne.NewSize(bannerSize.Width, bannerNoticeHeight)
}

// bannerMessage is the notice of s, else its error, else "".
func bannerMessage(s agent.Snapshot) string {
	if text := noticeText(s); text != "" {
		return text
	}
	return errorText(s.Err)
}

// bannerPage is StepSignedIn: the communication banner, a wide low strip with the user,
// profile and entity, desk phone, session time left and the actions; a notice or an error
// gets a second, wrapped line under it (the window grows while it is shown).
func (u *UI) bannerPage(s agent.Snapshot) *page {
	who := widget.NewLabel("")
	who.TextStyle = fyne.TextStyle{Bold: true}
	profile, phone, left := widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	notice := para("")
	notice.Importance = widget.WarningImportance
	notice.TextStyle = fyne.TextStyle{Bold: true}
	busy := widget.NewProgressBarInfinite()

	changePhone := newKeyButton(T("banner.phone"), Phone, func() { u.send(agent.OpenChangePhone{}) })
	lock := newKeyButton(T("banner.lock"), Lock, func() { u.send(agent.Lock{}) })
	out := newKeyButton(T("banner.signout"), theme.LogoutIcon(), func() { u.send(agent.SignOut{}) })
	// menuNeed is the window height the open menu needs (0: closed); fit sizes the window
	// for the notice line and the open menu, so a refresh never clips an open menu.
	var menuNeed float32
	fit := func() {
		size := u.bannerWindowSize()
		size.Height = max(size.Height, menuNeed)
		if u.win.Canvas().Size() != size || u.wantSize != size {
			u.resize(size)
		}
	}
	var menu *keyButton
	menu = newKeyButton("", theme.MenuIcon(), func() {
		u.showBannerMenu(menu, func(need float32) { menuNeed = need; fit() })
	})
	menu.Importance = widget.LowImportance

	refresh := func(s agent.Snapshot) {
		who.SetText(holderName(s))
		profile.SetText(sessionProfile(s))
		phone.SetText(T("banner.phone_value", map[string]any{"Phone": sessionPhone(s)}))
		left.SetText(T("banner.time_left", map[string]any{"Time": formatDuration(s.TimeLeft)}))
		showText(notice, bannerMessage(s))
		changePhone.Importance = widget.MediumImportance
		if s.Notice == agent.NoticePhoneTakenOver {
			changePhone.Importance = widget.HighImportance // the action the notice asks for
		}
		changePhone.Refresh()
		if u.page != nil && u.page.bare && u.win.Content() != nil {
			fit()
		}
		if s.Busy {
			busy.Show()
		} else {
			busy.Hide()
		}
	}
	refresh(s)
	info := container.NewHBox(who, widget.NewSeparator(), profile, widget.NewSeparator(), phone, widget.NewSeparator(), left)
	actions := container.NewHBox(changePhone, lock, out, menu)
	middle := container.NewVBox(layout.NewSpacer(), busy, layout.NewSpacer())
	strip := container.NewBorder(nil, nil, container.NewCenter(info), container.NewCenter(actions), middle)
	// The strip keeps the banner's height at the top: the window grows downwards only (the
	// notice line, the open menu), so the menu opens under its button.
	height := canvas.NewRectangle(color.Transparent)
	height.SetMinSize(fyne.NewSize(0, bannerSize.Height-2*theme.Padding()))
	obj := container.NewVBox(container.NewStack(height, strip), notice)
	return &page{obj: obj, refresh: refresh, bare: true}
}

// showBannerMenu opens the banner's drop-down menu. "Modifier mes canaux OTP" is the third
// item, where seed 004's guide says it is. The pop-up menu lives inside the window, so the
// low banner window grows to hold every item while it is open, and shrinks back after:
// open(need) is told the height the menu needs, then open(0) when it closes.
func (u *UI) showBannerMenu(anchor fyne.CanvasObject, open func(need float32)) {
	c := u.win.Canvas()
	m := widget.NewPopUpMenu(bannerMenu(u), c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	open(pos.Y + m.MinSize().Height + theme.Padding())
	m.Resize(m.MinSize()) // laid out again for the taller window
	m.OnDismiss = func() {
		m.Hide()
		if u.snap.Step == agent.StepSignedIn {
			open(0)
		}
	}
	m.ShowAtPosition(pos)
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
