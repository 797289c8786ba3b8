package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
)

// status is the strip under every screen: a progress indicator while the engine waits, the
// last error as a sentence saying what to do next, and the last notice.
type status struct {
	obj      *fyne.Container
	progress *widget.ProgressBarInfinite
	busy     *widget.Label
	err      *widget.Label
	notice   *widget.Label
}

func newStatus() *status {
	st := &status{
		progress: widget.NewProgressBarInfinite(),
		busy:     widget.NewLabel(""),
		err:      para(""),
		notice:   para(""),
	}
	st.err.Importance = widget.DangerImportance
	st.notice.Importance = widget.WarningImportance
	st.obj = container.NewVBox(st.notice, st.err, st.busy, st.progress)
	st.update(agent.Snapshot{})
	return st
}

// update shows what s says; hidden parts take no room.
func (st *status) update(s agent.Snapshot) {
	showText(st.err, errorText(s.Err))
	showText(st.notice, noticeText(s))
	if s.Busy {
		st.busy.SetText(busyText(s.BusyLabel))
		st.busy.Show()
		st.progress.Show()
		st.progress.Start()
	} else {
		st.progress.Stop()
		st.progress.Hide()
		st.busy.Hide()
	}
	st.obj.Refresh()
}

// busyText is the sentence of a wait ("busy.<key>"), with a generic one for unknown keys.
func busyText(key string) string {
	if key != "" && hasMessage("busy."+key) {
		return T("busy." + key)
	}
	return T("busy.default")
}

// showText sets l to text, hiding l when text is empty.
func showText(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
