package card

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// Sentinel errors. Errors returned by this package wrap one of them when the cause is known,
// and still wrap the original scard.Error for the technical detail.
var (
	// ErrNoService: the PC/SC service is not running (pcscd stopped, or on Windows the
	// Smart Card service stopped when the last reader was unplugged).
	ErrNoService = errors.New("pc/sc service unavailable")
	// ErrNoReader: no reader, or not the one asked for.
	ErrNoReader = errors.New("no smart-card reader")
	// ErrNoCard: the reader is empty, or the card was removed during the operation.
	ErrNoCard = errors.New("no card in the reader")
	// ErrSharingViolation: another program holds the card exclusively (gsd-smartcard,
	// scdaemon from GnuPG and some middleware do this).
	ErrSharingViolation = errors.New("card held exclusively by another program")
	// ErrCardMute: the card does not answer (inserted the wrong way, dirty contacts, or not
	// a smart card).
	ErrCardMute = errors.New("card does not answer")
	// ErrCancelled: the operation was cancelled (context ended).
	ErrCancelled = errors.New("pc/sc operation cancelled")
	// ErrNoSerial: the card has no readable EF.SN.ICC (not a CPx card).
	ErrNoSerial = errors.New("card has no EF.SN.ICC serial")
)

// mapErr wraps an scard error with the matching sentinel. Context is added by the caller.
func mapErr(err error) error {
	var se scard.Error
	if !errors.As(err, &se) {
		return err
	}
	var s error
	switch se {
	// SCARD_E_INVALID_HANDLE is what a context established with a pcscd that has since
	// restarted answers: the handle belongs to the old daemon. Treat it as a lost service.
	//
	// SCARD_F_COMM_ERROR ("RPC transport error") is what pcsc-lite answers a call blocked in
	// SCardGetStatusChange when pcscd dies under it: the socket closed.
	case scard.ErrNoService, scard.ErrServiceStopped, scard.ErrInvalidHandle, scard.ErrShutdown, scard.ErrCommError:
		s = ErrNoService
	case scard.ErrNoReadersAvailable, scard.ErrUnknownReader, scard.ErrReaderUnavailable:
		s = ErrNoReader
	case scard.ErrNoSmartcard, scard.ErrRemovedCard, scard.ErrResetCard:
		s = ErrNoCard
	case scard.ErrSharingViolation:
		s = ErrSharingViolation
	case scard.ErrUnresponsiveCard, scard.ErrUnpoweredCard, scard.ErrUnsupportedCard, scard.ErrInvalidAtr:
		s = ErrCardMute
	case scard.ErrCancelled, scard.ErrSystemCancelled:
		s = ErrCancelled
	default:
		return err
	}
	return &scardError{sentinel: s, code: se}
}

// scardError carries both the sentinel (errors.Is) and the PC/SC code (errors.As).
type scardError struct {
	sentinel error
	code     scard.Error
}

func (e *scardError) Error() string {
	return fmt.Sprintf("%v (%s, 0x%08X)", e.sentinel, e.code.Error(), uint32(e.code))
}

func (e *scardError) Unwrap() []error { return []error{e.sentinel, e.code} }
