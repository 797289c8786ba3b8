// Command fyneref is the bare Fyne reference of the desktop app's benchmarks: a window of the
// agent's size (540×500) with a label and a button, nothing else. What it costs (cold start,
// memory, idle CPU under Xvfb + Mesa) is the floor set by Fyne, GLFW and the GL driver;
// uibench prints it beside cpx-agent. With CPX_GOMEM_AFTER=3s it prints the Go runtime's
// memory figures on stderr, as cpx-agent does (internal/procmem).
package main

import (
	"flag"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// Title is the reference window's title (uibench waits for it).
const Title = "Fyne reference"

func main() {
	flag.Parse()
	procmem.ReportGoMemFromEnv(os.Stderr)
	a := app.NewWithID("fr.cpx-agent.fyneref")
	w := a.NewWindow(Title)
	label := widget.NewLabel("Introduisez votre carte professionnelle dans le lecteur")
	w.SetContent(container.NewVBox(label, widget.NewButton("OK", func() { label.SetText("OK") })))
	w.Resize(fyne.NewSize(540, 500))
	w.ShowAndRun()
}
