//go:build linux

package card

/*
#cgo pkg-config: libpcsclite
#include <stdlib.h>
#include <string.h>
#include <winscard.h>

static LONG cpx_establish(SCARDCONTEXT *ctx) {
	return SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);
}

static LONG cpx_list(SCARDCONTEXT ctx, char *buf, DWORD *len) {
	return SCardListReaders(ctx, NULL, buf, len);
}

static SCARD_READERSTATE *cpx_states(size_t n) {
	return calloc(n, sizeof(SCARD_READERSTATE));
}

static void cpx_set(SCARD_READERSTATE *st, size_t i, char *name, DWORD current) {
	st[i].szReader = name;
	st[i].dwCurrentState = current;
}

static DWORD cpx_event(SCARD_READERSTATE *st, size_t i) { return st[i].dwEventState; }
static DWORD cpx_atr_len(SCARD_READERSTATE *st, size_t i) { return st[i].cbAtr; }
static unsigned char *cpx_atr(SCARD_READERSTATE *st, size_t i) { return st[i].rgbAtr; }
*/
import "C"

import (
	"strings"
	"time"
	"unsafe"

	"github.com/ebfe/scard"
)

// On Linux the Monitor calls pcsc-lite directly for its own context. The reason is a defect
// of the pinned github.com/ebfe/scard: its GetStatusChange stores the C copies of reader names
// in a package-level map without a lock, so two concurrent calls in one process (a monitor and
// anything else waiting on a reader) race, and one call can free a name the other still
// reads. Here every call owns its C memory. Other OSes use the scard path (pcsc_scard.go).
func establishNative() (pcscContext, error) {
	var h C.SCARDCONTEXT
	if r := C.cpx_establish(&h); r != C.SCARD_S_SUCCESS {
		return nil, mapErr(scard.Error(uint32(r)))
	}
	return nativeContext{h}, nil
}

var establishContext = establishNative

type nativeContext struct{ h C.SCARDCONTEXT }

func code(r C.LONG) error {
	if r == C.SCARD_S_SUCCESS {
		return nil
	}
	return mapErr(scard.Error(uint32(r)))
}

func (c nativeContext) ListReaders() ([]string, error) {
	var n C.DWORD
	if err := code(C.cpx_list(c.h, nil, &n)); err != nil {
		return nil, err
	}
	buf := (*C.char)(C.malloc(C.size_t(n)))
	defer C.free(unsafe.Pointer(buf))
	if err := code(C.cpx_list(c.h, buf, &n)); err != nil {
		return nil, err
	}
	var names []string
	for _, s := range strings.Split(C.GoStringN(buf, C.int(n)), "\x00") {
		if s != "" {
			names = append(names, s)
		}
	}
	return names, nil
}

func (c nativeContext) GetStatusChange(states []readerState, timeout time.Duration) error {
	n := C.size_t(len(states))
	st := C.cpx_states(n)
	if st == nil {
		return mapErr(scard.ErrNoMemory)
	}
	defer C.free(unsafe.Pointer(st))
	for i, s := range states {
		name := C.CString(s.Reader)
		defer C.free(unsafe.Pointer(name))
		C.cpx_set(st, C.size_t(i), name, C.DWORD(s.Current))
	}
	ms := C.DWORD(C.INFINITE)
	if timeout >= 0 {
		ms = C.DWORD(timeout / time.Millisecond)
	}
	if err := code(C.SCardGetStatusChange(c.h, ms, st, C.DWORD(n))); err != nil {
		return err
	}
	for i := range states {
		ev := uint32(C.cpx_event(st, C.size_t(i)))
		states[i].Event, states[i].ATR = ev, nil
		// pcsc-lite leaves the last ATR in a reader's state after the card is gone: keep
		// it only while a card is present.
		if ev&statePresent != 0 {
			atrLen := min(int(C.cpx_atr_len(st, C.size_t(i))), C.MAX_ATR_SIZE)
			states[i].ATR = C.GoBytes(unsafe.Pointer(C.cpx_atr(st, C.size_t(i))), C.int(atrLen))
		}
	}
	return nil
}

func (c nativeContext) Cancel() error  { return code(C.SCardCancel(c.h)) }
func (c nativeContext) Release() error { return code(C.SCardReleaseContext(c.h)) }
