package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// TestSettingsDiagnostic: "Lancer le diagnostic" sends RunDiagnostic and is disabled while it
// runs; the report is shown read-only with its verdict; "Copier le rapport" puts it in the
// clipboard and says so.
func TestSettingsDiagnostic(t *testing.T) {
	s := agent.Snapshot{Step: agent.StepSettings, TriesLeft: -1}
	u, f := newTestUI(t, s)
	if hasText(u, "Rapport copié") || !button(t, u, "Copier le rapport").Disabled() {
		t.Fatalf("copy offered before any report: %q", texts(u))
	}
	test.Tap(button(t, u, "Lancer le diagnostic"))
	if _, ok := f.last().(agent.RunDiagnostic); !ok {
		t.Fatalf("the button sent %#v, want RunDiagnostic", f.last())
	}
	s.Busy, s.BusyLabel = true, agent.BusyDiagnosing
	u.apply(s)
	requireText(t, u, "Diagnostic du poste en cours")
	if !button(t, u, "Lancer le diagnostic").Disabled() {
		t.Fatal("run button enabled while the diagnostic runs")
	}
	s.Busy, s.BusyLabel, s.Diagnostic = false, "", demoReport
	u.apply(s)
	report := reportEntry(t, u)
	if report.Text != demoReport {
		t.Fatalf("report shown %q", report.Text)
	}
	requireText(t, u, "Au moins un contrôle a échoué")
	test.Type(report, "x")
	if report.Text != demoReport {
		t.Fatalf("the report could be edited: %q", report.Text)
	}
	test.Tap(button(t, u, "Copier le rapport"))
	if got := fyne.CurrentApp().Clipboard().Content(); got != demoReport {
		t.Fatalf("clipboard holds %q, want the report", got)
	}
	requireText(t, u, "Rapport copié")
	s.Diagnostic, s.DiagnosticOK = "tout est en ordre", true
	u.apply(s)
	requireText(t, u, "Tous les contrôles sont réussis")
	if hasText(u, "Rapport copié") {
		t.Fatal("'Rapport copié' still shown for a new report")
	}
}

// reportEntry is the visible multi-line entry of the screen (the diagnostic report).
func reportEntry(t *testing.T, u *UI) *widget.Entry {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.MultiLine && e.Visible() {
			return e
		}
	}
	t.Fatalf("no report shown; texts: %q", texts(u))
	return nil
}

// TestSettingsWorkstation: the settings show the effective workstation configuration given
// in Options, with the removal policy in words and defaults named.
func TestSettingsWorkstation(t *testing.T) {
	u, _ := newTestUI(t, agent.Snapshot{Step: agent.StepSettings, TriesLeft: -1})
	for _, want := range []string{"samu75-arm-07", "https://portail.si-samu.example", "par défaut (catalogue)",
		"verrouiller le poste", "Lecteurs surveillés", "tous"} {
		requireText(t, u, want)
	}
	u.opts.Workstation = &Workstation{Name: "ws", PortalURL: "https://p.example", RemovalPolicy: agent.RemovalSignOut,
		PKCS11Module: "/opt/cps/libcps3_pkcs11_lux.so", Reader: "Virtual PCD 35969 00 00"}
	u.rebuild()
	for _, want := range []string{"déconnecter la session", "/opt/cps/libcps3_pkcs11_lux.so", "Virtual PCD 35969 00 00"} {
		requireText(t, u, want)
	}
	u.opts.Workstation = nil
	u.rebuild()
	if hasText(u, "Portail") || hasText(u, "https://p.example") {
		t.Fatalf("workstation rows shown without a configuration: %q", texts(u))
	}
}
