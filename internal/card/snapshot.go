package card

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// ReaderStatus is one reader as seen right now.
type ReaderStatus struct {
	Name        string
	CardPresent bool
	ATR         []byte
	Card        Identification
	// Err is set when a card is there but cannot be read: ErrSharingViolation (another
	// program holds it exclusively) or ErrCardMute.
	Err error
}

// ReaderNames lists pcscd's readers by name only (SCardListReaders): no card is touched. No
// reader is an empty list.
func ReaderNames() ([]string, error) {
	var names []string
	err := withReaders(func(_ *scard.Context, n []string) { names = n })
	return names, err
}

// withReaders establishes a context, lists the readers (none is not an error) and calls f.
func withReaders(f func(ctx *scard.Context, names []string)) error {
	ctx, err := scard.EstablishContext()
	if err != nil {
		return fmt.Errorf("readers: establish context: %w", mapErr(err))
	}
	defer ctx.Release()
	names, err := ctx.ListReaders()
	if err != nil {
		if err = mapErr(err); !errors.Is(err, ErrNoReader) {
			return fmt.Errorf("readers: list: %w", err)
		}
		names = nil
	}
	f(ctx, names)
	return nil
}

// Readers lists the readers and what is in them, once (for diagnostics; use a Monitor to
// follow changes). It connects to each card in shared mode and leaves it as found; it does
// not call SCardGetStatusChange, so it never waits behind a Monitor of the same process.
func Readers() ([]ReaderStatus, error) {
	var out []ReaderStatus
	err := withReaders(func(ctx *scard.Context, names []string) {
		out = make([]ReaderStatus, 0, len(names))
		for _, n := range names {
			out = append(out, readerStatus(ctx, n))
		}
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

func readerStatus(ctx *scard.Context, name string) ReaderStatus {
	rs := ReaderStatus{Name: name}
	c, err := ctx.Connect(name, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		err = mapErr(err)
		switch {
		case errors.Is(err, ErrNoCard):
		case errors.Is(err, ErrSharingViolation), errors.Is(err, ErrCardMute):
			rs.CardPresent, rs.Err = true, err
		default:
			rs.Err = err
		}
		return rs
	}
	defer c.Disconnect(scard.LeaveCard)
	st, err := c.Status()
	if err != nil {
		rs.Err = mapErr(err)
		return rs
	}
	rs.CardPresent, rs.ATR, rs.Card = true, st.Atr, Identify(st.Atr)
	return rs
}
