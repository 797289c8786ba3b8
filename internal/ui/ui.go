// Package ui is cpx-agent's desktop interface, in Fyne. It renders the flow engine's
// agent.Snapshot values, one screen per agent.Step, and sends agent.Intent values back; it
// never touches the card, the network or storage (internal/deptest enforces this). French
// by default, English too (translations/*.json through fyne.io/fyne/v2/lang). Every screen
// works from the keyboard: Enter validates, Esc cancels, focus starts in the right field.
// Updates from the engine reach widgets only through fyne.Do.
package ui

import (
	"reflect"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Engine is what the UI needs of the flow engine (*agent.Engine satisfies it). Do reports
// false when the engine dropped the intent (its queue is full).
type Engine interface {
	Do(agent.Intent) bool
	Notify() <-chan agent.Snapshot
}

// The flow engine is the UI's engine.
var _ Engine = (*agent.Engine)(nil)

// Options tune the UI.
type Options struct {
	Lang    string // "fr", "en", or "" to follow the OS locale
	Version string // shown on the settings screen
	Title   string // window title ("CPx Agent" when empty)
	// Workstation is the effective workstation configuration the settings screen shows
	// (nil: not shown). Nothing secret: internal/config rejects secrets.
	Workstation *Workstation
}

// Workstation is what the settings screen shows of the workstation configuration.
type Workstation struct {
	Name          string // workstation name sent to the portal
	PortalURL     string
	PKCS11Module  string // "" = the module catalogue's default
	RemovalPolicy string // agent.RemovalLock or agent.RemovalSignOut
	Reader        string // "" = every reader
}

// Window sizes: the screens, and the communication banner (a wide, low strip).
var (
	screenSize   = fyne.NewSize(540, 500)
	settingsSize = fyne.NewSize(560, 760) // workstation rows and the diagnostic report
	bannerSize   = fyne.NewSize(1280, 56)
)

// page is one screen: its content and how it reacts to later snapshots of the same step.
type page struct {
	obj       fyne.CanvasObject
	focus     fyne.Focusable         // focused when the page is shown (nil: keys go to the window)
	submit    func()                 // Enter when no field has focus
	refresh   func(s agent.Snapshot) // later snapshot of the same step
	keys      func(k *fyne.KeyEvent) bool
	bare      bool       // no status area (the banner shows its own)
	size      fyne.Size  // window size when not the usual screenSize (settings)
	checklist *checklist // password screens
}

// UI is the agent's window.
type UI struct {
	app     fyne.App
	win     fyne.Window
	eng     Engine
	opts    Options
	snap    agent.Snapshot
	page    *page
	status  *status
	pending string        // OTP channel being tested
	otpKind string        // channel the last code was sent to
	phone   string        // last number submitted (takeover confirms it)
	dialog  dialog.Dialog // open dialog, if any
	// wantSize is the window size the current screen asked for (see resize).
	wantSize fyne.Size
	shown    agent.Step // the step whose page is on screen (see deferSigningIn)
}

// New builds the window without showing it. Run is New + ShowAndRun.
func New(a fyne.App, e Engine, opts Options) *UI {
	if err := SetLanguage(opts.Lang); err != nil {
		fyne.LogError("ui: language", err)
	}
	if opts.Title == "" {
		opts.Title = "CPx Agent"
	}
	u := &UI{app: a, eng: e, opts: opts}
	a.SetIcon(Icon)
	u.win = a.NewWindow(opts.Title)
	u.win.SetIcon(Icon)
	u.status = newStatus()
	u.win.Canvas().SetOnTypedKey(u.typedKey)
	u.apply(agent.Snapshot{Step: agent.StepWaitingCard, TriesLeft: -1})
	return u
}

// later runs f on Fyne's goroutine after d: the delayed screen and size checks. Fyne's test
// driver runs fyne.Do on the caller's goroutine, so the package's tests replace it.
var later = func(d time.Duration, f func()) { time.AfterFunc(d, func() { fyne.Do(f) }) }

// Window is the agent's window (tests capture it).
func (u *UI) Window() fyne.Window { return u.win }

// Watch applies every snapshot of the engine until its Notify channel closes. It runs in its
// own goroutine and reaches widgets only through fyne.Do.
func (u *UI) Watch() {
	for s := range u.eng.Notify() {
		s := s
		fyne.Do(func() { u.apply(s) })
	}
}

// Run shows the window and runs the app until it quits.
func Run(a fyne.App, e Engine, opts Options) {
	u := New(a, e, opts)
	go u.Watch()
	go u.warmUp()
	u.win.ShowAndRun()
}

// send gives an intent to the engine.
func (u *UI) send(i agent.Intent) {
	if !u.eng.Do(i) {
		fyne.LogError("ui: intent dropped by the engine", nil)
	}
}

// cancel is Esc and every "Annuler".
func (u *UI) cancel() { u.send(agent.Cancel{}) }

// apply shows snapshot s: a new screen when the step changes, else a refresh of the current one.
func (u *UI) apply(s agent.Snapshot) {
	prev := u.snap
	u.snap = s
	switch {
	case u.page != nil && u.deferSigningIn(prev, s):
	case u.page == nil || s.Step != u.shown:
		u.show(s)
	case u.page.refresh != nil:
		u.page.refresh(s)
	}
	u.status.update(s)
	if s.Step == agent.StepLinkPhone && s.Err != nil && !sameErr(s.Err, prev.Err) && agent.MessageKey(s.Err) == api.CodePhoneTaken {
		u.confirmTakeover(s)
	}
}

// show builds the screen of s.Step and puts the focus where the user types first.
func (u *UI) show(s agent.Snapshot) {
	u.page, u.shown = u.build(s), s.Step
	if u.page.bare {
		u.win.SetContent(u.page.obj)
		u.resize(u.bannerWindowSize())
	} else {
		u.win.SetContent(container.NewBorder(nil, u.status.obj, nil, nil, container.NewPadded(u.page.obj)))
		size := screenSize
		if !u.page.size.IsZero() {
			size = u.page.size
		}
		u.resize(size)
	}
	u.win.Canvas().Unfocus()
	if u.page.focus != nil {
		u.win.Canvas().Focus(u.page.focus)
	}
}

// rebuild redraws the current screen (after a language change).
func (u *UI) rebuild() {
	u.show(u.snap)
	u.status.update(u.snap)
}

// typedKey handles keys when no field has the focus.
func (u *UI) typedKey(k *fyne.KeyEvent) {
	if u.page != nil && u.page.keys != nil && u.page.keys(k) {
		return
	}
	switch k.Name {
	case fyne.KeyEscape:
		u.cancel()
	case fyne.KeyReturn, fyne.KeyEnter:
		if u.page != nil && u.page.submit != nil && !u.snap.Busy {
			u.page.submit()
		}
	}
}

// pageOf gives the screen builder of each step; a step without one shows the wait screen.
// It is filled in init: the builders reach build again (settings → language → rebuild).
var pageOf map[agent.Step]func(*UI, agent.Snapshot) *page

func init() {
	pageOf = map[agent.Step]func(*UI, agent.Snapshot) *page{
		agent.StepWaitingCard:     (*UI).homePage,
		agent.StepCardPresent:     (*UI).waitPage,
		agent.StepSigningIn:       (*UI).signingInPage,
		agent.StepCardUnknown:     (*UI).unknownCardPage,
		agent.StepPIN:             (*UI).pinPage,
		agent.StepLocked:          (*UI).lockedPage,
		agent.StepCardBlocked:     (*UI).blockedPage,
		agent.StepChooseProfile:   (*UI).profilePage,
		agent.StepLinkPhone:       (*UI).phonePage,
		agent.StepSetPassword:     (*UI).setPasswordPage,
		agent.StepChangePassword:  (*UI).changePasswordPage,
		agent.StepOTPChannels:     (*UI).channelsPage,
		agent.StepSignedIn:        (*UI).bannerPage,
		agent.StepOTPIdentifiant:  (*UI).identifiantPage,
		agent.StepOTPPassword:     (*UI).otpPasswordPage,
		agent.StepOTPChannel:      (*UI).otpChannelPage,
		agent.StepOTPCode:         (*UI).otpCodePage,
		agent.StepPSC:             (*UI).pscPage,
		agent.StepPSCPush:         (*UI).pscPushPage,
		agent.StepPSCBrowser:      (*UI).pscBrowserPage,
		agent.StepECPS:            (*UI).browserPage,
		agent.StepSettings:        (*UI).settingsPage,
		agent.StepSecretQuestion:  (*UI).secretQuestionPage,
		agent.StepRecoverName:     (*UI).recoverNamePage,
		agent.StepRecoverQuestion: (*UI).recoverQuestionPage,
		agent.StepRecoverDone:     (*UI).recoverDonePage,
		agent.StepCardPINChange:   (*UI).cardPINChangePage,
		agent.StepCardUnblock:     (*UI).cardUnblockPage,
	}
}

// build returns the screen of a step.
func (u *UI) build(s agent.Snapshot) *page {
	if f, ok := pageOf[s.Step]; ok {
		return f(u, s)
	}
	return u.waitPage(s)
}

// sameErr says whether a and b are the same error value (a new answer of the engine is a new
// value), without panicking on error types that cannot be compared.
func sameErr(a, b error) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return a == nil && b == nil
	}
	return a == b
}
