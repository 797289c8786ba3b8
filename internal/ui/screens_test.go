package ui

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestScreensMarkup renders every screen (DemoScreens) and compares it with its markup golden
// in testdata/screens/. A changed screen writes testdata/failed/screens/<name>.xml.
func TestScreensMarkup(t *testing.T) {
	for _, sc := range DemoScreens() {
		t.Run(sc.Name, func(t *testing.T) {
			u, _ := newTestUI(t, sc.Snap)
			test.AssertRendersToMarkup(t, "screens/"+sc.Name+".xml", u.win.Canvas())
		})
	}
}

// TestScreenshots renders every screen in French with the default light theme. It checks
// that each image has the window's size and real content; with CPX_UI_SCREENSHOTS=<dir> it
// also writes them as PNG (docs/screenshots/, listed in docs/ui.md).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CPX_UI_SCREENSHOTS")
	// Some screens are shown half-typed, as a user sees them.
	typing := map[string]func(u *UI){
		"set_password": func(u *UI) { test.Type(u.win.Canvas().Focused().(*keyEntry), "Samu75arm") },
		"pin_2_tries":  func(u *UI) { test.Type(u.win.Canvas().Focused().(*keyEntry), "12") },
		"secret_question": func(u *UI) {
			u.win.Canvas().Focused().(*keySelect).SetSelectedIndex(2)
			u.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			test.Type(u.win.Canvas().Focused().(*keyEntry), "Jules Ferry")
		},
	}
	for _, sc := range DemoScreens() {
		u, _ := newTestUI(t, sc.Snap)
		if f := typing[sc.Name]; f != nil {
			f(u)
		}
		fyne.CurrentApp().Settings().SetTheme(theme.LightTheme())
		u.win.Content().Refresh()
		img := u.win.Canvas().Capture()
		size := u.win.Canvas().Size()
		if b := img.Bounds(); b.Dx() < int(size.Width) || b.Dy() < int(size.Height) {
			t.Errorf("%s: capture %v smaller than the window %v", sc.Name, b, size)
		}
		if n := colours(img); n < 8 {
			t.Errorf("%s: capture has %d colours: blank screen?", sc.Name, n)
		}
		if dir == "" {
			continue
		}
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > 100<<10 {
			t.Errorf("%s: PNG is %d KB, want < 100 KB", sc.Name, buf.Len()>>10)
		}
		if err := os.WriteFile(filepath.Join(dir, sc.Name+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// colours counts distinct colours, up to 64.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 64 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
