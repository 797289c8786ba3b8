//go:build e2e

package e2e

// Finding a client's window and pressing a key through the test process's own X connection
// (xband.go): no xdotool process per poll, and a key press timed to the XSync that
// delivered it.

/*
#cgo LDFLAGS: -lX11 -lXtst
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>

// cpx_pid reads _NET_WM_PID (0 when absent or on an X error).
static long cpx_pid(Display *d, Window w, Atom pidAtom) {
	Atom type; int format; unsigned long n, after; unsigned char *data = NULL; long pid = 0;
	if (XGetWindowProperty(d, w, pidAtom, 0, 1, False, XA_CARDINAL, &type, &format, &n, &after, &data) == Success
	    && data && type == XA_CARDINAL && format == 32 && n == 1)
		pid = (long)*(unsigned long *)data;
	if (data) XFree(data);
	return pid;
}

// cpx_named tells whether the window's _NET_WM_NAME (UTF-8) or WM_NAME is exactly name.
static int cpx_named(Display *d, Window w, Atom netName, Atom utf8, const char *name) {
	Atom type; int format; unsigned long n, after; unsigned char *data = NULL; int ok = 0;
	if (XGetWindowProperty(d, w, netName, 0, 256, False, utf8, &type, &format, &n, &after, &data) == Success
	    && data && type == utf8 && format == 8)
		ok = strlen(name) == n && memcmp(data, name, n) == 0;
	if (data) XFree(data);
	if (ok) return 1;
	char *wm = NULL;
	if (XFetchName(d, w, &wm) && wm) {
		ok = strcmp(wm, name) == 0;
		XFree(wm);
	}
	return ok;
}

// cpx_find walks the window tree under w (depth ≤ 3) for a viewable window of process pid
// named name; 0 when there is none yet.
static Window cpx_find(Display *d, Window w, long pid, const char *name, int depth) {
	Atom pidAtom = XInternAtom(d, "_NET_WM_PID", False);
	Atom netName = XInternAtom(d, "_NET_WM_NAME", False), utf8 = XInternAtom(d, "UTF8_STRING", False);
	Window root, parent, *kids = NULL, found = 0;
	unsigned int n = 0;
	if (!XQueryTree(d, w, &root, &parent, &kids, &n)) return 0;
	for (unsigned int i = 0; i < n && !found; i++) {
		XWindowAttributes a;
		if (!XGetWindowAttributes(d, kids[i], &a)) continue; // gone meanwhile (BadWindow)
		if (a.map_state == IsViewable && cpx_pid(d, kids[i], pidAtom) == pid
		    && cpx_named(d, kids[i], netName, utf8, name))
			found = kids[i];
		else if (depth > 0)
			found = cpx_find(d, kids[i], pid, name, depth - 1);
	}
	if (kids) XFree(kids);
	return found;
}

static Window cpx_find_top(Display *d, long pid, const char *name) {
	return cpx_find(d, DefaultRootWindow(d), pid, name, 3);
}

// cpx_key presses and releases one key (by keysym name, e.g. "Return", "space") with XTest,
// to whichever window has the focus, and waits until the server has processed both events.
static int cpx_key(Display *d, const char *keysym) {
	KeySym ks = XStringToKeysym(keysym);
	if (ks == NoSymbol) return 0;
	KeyCode kc = XKeysymToKeycode(d, ks);
	if (!kc) return 0;
	XTestFakeKeyEvent(d, kc, True, CurrentTime);
	XTestFakeKeyEvent(d, kc, False, CurrentTime);
	XSync(d, False);
	return 1;
}
*/
import "C"

import (
	"fmt"
	"strconv"
	"time"
	"unsafe"
)

// xFindWindow returns the id (decimal, as xdotool prints it) of the viewable window of
// process pid titled name, or "" when there is none (yet).
func xFindWindow(pid int, name string) (string, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	xconn.mu.Lock()
	defer xconn.mu.Unlock()
	d, err := xDisplay()
	if err != nil {
		return "", err
	}
	w := C.cpx_find_top(d, C.long(pid), cname)
	if w == 0 {
		return "", nil
	}
	return strconv.FormatUint(uint64(w), 10), nil
}

// xKey presses and releases keysym (e.g. "Return") in the focused window, waits until the X
// server has processed both, and returns the time the press was sent (so any delay in
// delivering it counts as the machine's time, not the user's).
func xKey(keysym string) (time.Time, error) {
	cks := C.CString(keysym)
	defer C.free(unsafe.Pointer(cks))
	xconn.mu.Lock()
	defer xconn.mu.Unlock()
	d, err := xDisplay()
	if err != nil {
		return time.Time{}, err
	}
	at := time.Now()
	if C.cpx_key(d, cks) == 0 {
		return time.Time{}, fmt.Errorf("no key for keysym %q", keysym)
	}
	return at, nil
}
