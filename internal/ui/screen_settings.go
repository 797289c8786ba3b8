package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// settingsPage is StepSettings: workstation facts for IT staff, the language, and the
// diagnostic (`cpx-agent doctor` run by the engine) with its report to copy for support.
func (u *UI) settingsPage(s agent.Snapshot) *page {
	form := widget.NewForm(
		widget.NewFormItem(T("settings.language"), u.languageSelect()),
		widget.NewFormItem(T("settings.reader"), widget.NewLabel(settingsReader(s))),
		widget.NewFormItem(T("settings.card"), widget.NewLabel(settingsCard(s))),
		widget.NewFormItem(T("settings.version"), widget.NewLabel(u.version())),
	)
	for _, it := range u.workstationItems() {
		form.AppendItem(it)
	}
	d := u.newDiagnosticView()
	d.refresh(s)
	back := primary(T("action.back"), u.cancel)
	body := container.NewVBox(title(T("settings.title")), form, d.obj, buttons(back))
	return &page{obj: container.NewVScroll(body), submit: u.cancel, refresh: d.refresh, size: settingsSize}
}

// workstationItems are the rows of the workstation configuration (none when not given).
func (u *UI) workstationItems() []*widget.FormItem {
	w := u.opts.Workstation
	if w == nil {
		return nil
	}
	or := func(v, key string) string {
		if v == "" {
			return T(key)
		}
		return v
	}
	removal := T("settings.removal_lock")
	if w.RemovalPolicy == agent.RemovalSignOut {
		removal = T("settings.removal_signout")
	}
	value := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	return []*widget.FormItem{
		widget.NewFormItem(T("settings.workstation"), value(or(w.Name, "settings.none"))),
		widget.NewFormItem(T("settings.portal"), value(or(w.PortalURL, "settings.none"))),
		widget.NewFormItem(T("settings.module"), value(or(w.PKCS11Module, "settings.module_default"))),
		widget.NewFormItem(T("settings.removal"), value(removal)),
		widget.NewFormItem(T("settings.readers"), value(or(w.Reader, "settings.readers_all"))),
	}
}

// diagnosticView is the settings' diagnostic part: run, verdict, report, copy.
type diagnosticView struct {
	obj     fyne.CanvasObject
	run     *widget.Button
	copy    *widget.Button
	verdict *widget.Label
	copied  *widget.Label
	report  *widget.Entry
	text    string // the report shown (the entry is read-only: edits are undone)
}

func (u *UI) newDiagnosticView() *diagnosticView {
	d := &diagnosticView{verdict: para(""), copied: widget.NewLabel("")}
	d.run = widget.NewButton(T("settings.run_diagnostic"), func() { u.send(agent.RunDiagnostic{}) })
	d.copy = widget.NewButton(T("settings.copy_report"), func() {
		if d.text == "" {
			return
		}
		u.app.Clipboard().SetContent(d.text)
		showText(d.copied, T("settings.report_copied"))
	})
	d.report = widget.NewMultiLineEntry()
	d.report.TextStyle = fyne.TextStyle{Monospace: true}
	d.report.Wrapping = fyne.TextWrapBreak
	d.report.SetMinRowsVisible(8)
	d.report.OnChanged = func(t string) {
		if t != d.text {
			d.report.SetText(d.text)
		}
	}
	d.obj = container.NewVBox(widget.NewSeparator(), container.NewHBox(d.run, d.copy, d.copied), d.verdict, d.report)
	return d
}

// refresh shows the engine's latest diagnostic state.
func (d *diagnosticView) refresh(s agent.Snapshot) {
	if s.Busy {
		d.run.Disable()
	} else {
		d.run.Enable()
	}
	if s.Diagnostic != d.text {
		d.text = s.Diagnostic
		d.report.SetText(s.Diagnostic)
		showText(d.copied, "")
	}
	if d.text == "" {
		d.copy.Disable()
		d.report.Hide()
		showText(d.copied, "")
		d.verdict.Hide()
		return
	}
	d.copy.Enable()
	d.report.Show()
	key := "settings.diagnostic_failed"
	if s.DiagnosticOK {
		key = "settings.diagnostic_ok"
	}
	showText(d.verdict, T(key))
}

// languageSelect switches the UI between French and English at once.
func (u *UI) languageSelect() *widget.Select {
	names := map[string]string{"fr": "Français", "en": "English"}
	language := widget.NewSelect([]string{names["fr"], names["en"]}, nil)
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
	return language
}

func settingsReader(s agent.Snapshot) string {
	if s.Card == nil {
		return T("settings.none")
	}
	return s.Card.Reader
}

func settingsCard(s agent.Snapshot) string {
	if s.Card != nil {
		if line := strings.TrimSpace(s.Card.Generation + " " + s.Card.Serial); line != "" {
			return line
		}
	}
	return T("settings.none")
}

func (u *UI) version() string {
	if u.opts.Version == "" {
		return "dev"
	}
	return u.opts.Version
}
