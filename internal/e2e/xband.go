//go:build e2e

package e2e

// The test process's own connection to the X display: reading a window's title band with
// XGetImage costs well under a millisecond, where `import -window` (one process per read)
// costs about 46 ms, which was most of every "screen seen" time. cgo is not allowed in
// _test.go files, hence this non-test file, built only with the e2e tag like the tests.

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// The last X error seen, recorded instead of Xlib's default handler, which exits the
// process (a window that went away or is not viewable gives BadWindow / BadMatch).
static int cpx_xerr;
static int cpx_on_error(Display *d, XErrorEvent *e) { (void)d; cpx_xerr = e->error_code; return 0; }

static Display *cpx_open(void) {
	XInitThreads();
	Display *d = XOpenDisplay(NULL);
	if (d) XSetErrorHandler(cpx_on_error);
	return d;
}

// cpx_size gives the window's size and whether it is viewable; 0 on an X error.
static int cpx_size(Display *d, Window w, int *width, int *height, int *viewable) {
	XWindowAttributes a;
	cpx_xerr = 0;
	if (!XGetWindowAttributes(d, w, &a) || cpx_xerr) return 0;
	*width = a.width; *height = a.height; *viewable = a.map_state == IsViewable;
	return 1;
}

// cpx_band copies the top-left w×h pixels of the window (clipped to its size) into out as
// RGB bytes (3 per pixel, no padding) and returns the pixel count, or -1 on an X error or
// when the window is not viewable. out holds at least w*h*3 bytes.
static int cpx_band(Display *d, Window win, int w, int h, unsigned char *out) {
	int ww, wh, viewable;
	if (!cpx_size(d, win, &ww, &wh, &viewable) || !viewable) return -1;
	if (w > ww) w = ww;
	if (h > wh) h = wh;
	if (w <= 0 || h <= 0) return -1;
	cpx_xerr = 0;
	XImage *img = XGetImage(d, win, 0, 0, (unsigned)w, (unsigned)h, AllPlanes, ZPixmap);
	if (!img || cpx_xerr) {
		if (img) XDestroyImage(img);
		return -1;
	}
	unsigned long m[3] = {img->red_mask, img->green_mask, img->blue_mask};
	int shift[3];
	for (int c = 0; c < 3; c++) {
		shift[c] = 0;
		while (m[c] && !((m[c] >> shift[c]) & 1)) shift[c]++;
	}
	int i = 0;
	int fast = img->bits_per_pixel == 32 && img->byte_order == LSBFirst; // Xvfb depth 24 on x86
	for (int y = 0; y < h; y++) {
		const unsigned char *row = (const unsigned char *)img->data + (long)y * img->bytes_per_line;
		for (int x = 0; x < w; x++) {
			unsigned long p;
			if (fast) {
				const unsigned char *q = row + 4 * x;
				p = (unsigned long)q[0] | (unsigned long)q[1] << 8 | (unsigned long)q[2] << 16 | (unsigned long)q[3] << 24;
			} else {
				p = XGetPixel(img, x, y);
			}
			for (int c = 0; c < 3; c++) out[i++] = (unsigned char)((p & m[c]) >> shift[c]);
		}
	}
	XDestroyImage(img);
	return w * h;
}
*/
import "C"

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"
)

// xconn is the one connection, opened on first use; every Xlib call holds mu.
var xconn struct {
	mu   sync.Mutex
	once sync.Once
	d    *C.Display
	err  error
}

// xDisplay opens the connection once (DISPLAY) and returns it; the caller holds xconn.mu.
func xDisplay() (*C.Display, error) {
	xconn.once.Do(func() {
		if xconn.d = C.cpx_open(); xconn.d == nil {
			xconn.err = fmt.Errorf("open X display %q", os.Getenv("DISPLAY"))
		}
	})
	return xconn.d, xconn.err
}

// xWindow parses a window id as xdotool prints it (decimal).
func xWindow(win string) (C.Window, error) {
	id, err := strconv.ParseUint(win, 10, 32)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("bad window id %q", win)
	}
	return C.Window(id), nil
}

// errNotViewable: the window is gone, unmapped, or the X server refused the read.
var errNotViewable = errors.New("window not viewable")

// xBandHash hashes the RGB bytes of the top-left w×h pixels of the window (clipped to the
// window) with SHA-256, first 16 hex digits; errUnpainted when they are all one colour.
func xBandHash(win string, w, h int) (string, error) {
	id, err := xWindow(win)
	if err != nil {
		return "", err
	}
	buf := make([]byte, w*h*3)
	xconn.mu.Lock()
	defer xconn.mu.Unlock()
	d, err := xDisplay()
	if err != nil {
		return "", err
	}
	n := C.cpx_band(d, id, C.int(w), C.int(h), (*C.uchar)(unsafe.Pointer(&buf[0])))
	if n < 0 {
		return "", errNotViewable
	}
	px := buf[:int(n)*3]
	if uniform(px) {
		return "", errUnpainted
	}
	sum := sha256.Sum256(px)
	return fmt.Sprintf("%x", sum[:8]), nil
}

// errUnpainted: the band is one colour, a window not drawn yet (every page has a title).
var errUnpainted = errors.New("title band not painted")

// uniform tells whether every RGB pixel of px is the first one.
func uniform(px []byte) bool {
	for i := 3; i+2 < len(px); i += 3 {
		if px[i] != px[0] || px[i+1] != px[1] || px[i+2] != px[2] {
			return false
		}
	}
	return true
}

// xSize is the window's size, e.g. "540x500", and whether it is viewable.
func xSize(win string) (size string, viewable bool, err error) {
	id, err := xWindow(win)
	if err != nil {
		return "", false, err
	}
	xconn.mu.Lock()
	defer xconn.mu.Unlock()
	d, err := xDisplay()
	if err != nil {
		return "", false, err
	}
	var w, h, v C.int
	if C.cpx_size(d, id, &w, &h, &v) == 0 {
		return "", false, errNotViewable
	}
	return fmt.Sprintf("%dx%d", int(w), int(h)), v != 0, nil
}
