package ui

import (
	_ "embed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

//go:generate go run ./internal/iconsgen -o icon.png -o ../../assets/icon.png

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon (also assets/icon.png for packaging; both come from iconsgen).
var Icon = fyne.NewStaticResource("cpx-agent.png", iconPNG)

// Phone and Lock are the banner's own icons, drawn here, themed like Fyne's.
var (
	Phone = theme.NewThemedResource(fyne.NewStaticResource("phone.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<path fill="#000" d="M3 8c0-2 2-3 9-3s9 1 9 3v2h-5V8.5c-1-.4-2.4-.5-4-.5s-3 .1-4 .5V10H3z"/>
<path fill="#000" d="M6 11h12l2 8H4zM10 13.5a2 2 0 1 0 4 0 2 2 0 1 0-4 0z"/></svg>`)))
	Lock = theme.NewThemedResource(fyne.NewStaticResource("lock.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<path fill="#000" d="M7 10V8a5 5 0 0 1 10 0v2h1.5v11h-13V10zm2.2 0h5.6V8a2.8 2.8 0 0 0-5.6 0z"/></svg>`)))
)
