package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// resizeChecks are when resize looks again at the window's size. Fyne's GLFW driver applies a
// Resize asynchronously, and a size event from the previous screen's resize can arrive after
// it and win: under X11 the banner was seen drawn in the previous screen's 540×500 (or a
// 935×500) window, and the lock screen in the banner's 1280×290. Asking again a few times is
// bounded and costs nothing when the first resize held.
var resizeChecks = []time.Duration{60 * time.Millisecond, 250 * time.Millisecond, 700 * time.Millisecond}

// resize sets the window to size and makes sure it stays so while this screen is shown.
func (u *UI) resize(size fyne.Size) {
	u.wantSize = size
	u.win.Resize(size)
	page := u.page
	for _, d := range resizeChecks {
		later(d, func() {
			if u.page == page && u.wantSize == size && u.win.Canvas().Size() != size {
				u.win.Resize(size)
			}
		})
	}
}
