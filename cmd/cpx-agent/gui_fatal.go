package main

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// msgNoDisplay is said when there is no graphical session to open the window in.
const msgNoDisplay = "cpx-agent gui : aucun affichage graphique (DISPLAY) : lancez-le dans la session de " +
	"l'utilisateur, ou utilisez « cpx-agent login card » en ligne de commande."

// haveDisplay reports whether a window can be opened (X11 or Wayland on Linux and BSDs;
// always on Windows and macOS).
func haveDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// showStartupError tells the operator, in a window, that the agent cannot start and what to do
// (an operator does not read stderr), and repeats it with the technical detail on stderr.
func showStartupError(stderr io.Writer, err error) {
	msg := "Le poste n'est pas configuré pour la connexion au SI-SAMU. " +
		"Prévenez le support informatique en lui donnant le détail ci-dessous."
	fmt.Fprintf(stderr, "cpx-agent gui: %v\n", err)
	if !haveDisplay() {
		return
	}
	a := app.NewWithID("fr.cpx-agent.agent")
	w := a.NewWindow("CPx Agent")
	body := widget.NewLabel(msg)
	body.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(err.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.TextStyle = fyne.TextStyle{Monospace: true}
	title := widget.NewLabel("Connexion impossible")
	title.TextStyle = fyne.TextStyle{Bold: true}
	closeBtn := widget.NewButton("Fermer", a.Quit)
	closeBtn.Importance = widget.HighImportance
	w.SetContent(container.NewPadded(container.NewVBox(title, body, detail, container.NewHBox(closeBtn))))
	w.Resize(fyne.NewSize(540, 260))
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEscape {
			a.Quit()
		}
	})
	w.ShowAndRun()
}
