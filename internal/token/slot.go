package token

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// Match ranks of a slot description against a PC/SC reader name (see the package doc).
const (
	rankNone = iota
	rankContains
	rankReaderPrefix // the reader name starts the description (decorated description)
	rankCutName      // the description starts the reader name (cut to 64 bytes)
	rankExact
)

// matchRank ranks a slot description against a reader name; an empty reader matches any slot.
func matchRank(slotDesc, reader string) int {
	d, r := strings.TrimSpace(slotDesc), strings.TrimSpace(reader)
	switch {
	case r == "":
		return rankExact
	case d == "":
		return rankNone
	case d == r:
		return rankExact
	case strings.HasPrefix(r, d):
		return rankCutName
	case strings.HasPrefix(d, r):
		return rankReaderPrefix
	case strings.Contains(d, r) || strings.Contains(r, d):
		return rankContains
	}
	return rankNone
}

// slotChoice is a slot holding a usable token.
type slotChoice struct {
	id    uint
	slot  pkcs11.SlotInfo
	token pkcs11.TokenInfo
	rank  int
}

// pickSlot finds the best slot for reader (and label, when set) among the slots with a token.
// The error says why nothing fitted, for the log.
func pickSlot(ctx *pkcs11.Ctx, reader, label string) (slotChoice, error) {
	ids, err := slotList(ctx)
	if err != nil {
		return slotChoice{}, wrap("C_GetSlotList", err)
	}
	var best slotChoice
	var seen []string
	for _, id := range ids {
		si, err := ctx.GetSlotInfo(id)
		if err != nil {
			continue
		}
		seen = append(seen, fmt.Sprintf("%q", strings.TrimSpace(si.SlotDescription)))
		rank := matchRank(si.SlotDescription, reader)
		if rank == rankNone || rank <= best.rank {
			continue
		}
		ti, err := ctx.GetTokenInfo(id)
		if err != nil || blank(ti) {
			continue // no card after all, or a blank token (SoftHSM's free slot)
		}
		if label != "" && strings.TrimSpace(ti.Label) != label {
			continue
		}
		best = slotChoice{id: id, slot: si, token: ti, rank: rank}
	}
	if best.rank == rankNone {
		if len(ids) == 0 {
			return best, fmt.Errorf("%w: no slot with a token", ErrNoToken)
		}
		return best, fmt.Errorf("%w: reader %q label %q not among slots [%s]", ErrNoToken, reader, label, strings.Join(seen, ", "))
	}
	return best, nil
}

// blank says a token is an empty, uninitialised one (SoftHSM always offers one). A token
// without CKF_TOKEN_INITIALIZED but with a label is kept: some middleware omit the flag.
func blank(ti pkcs11.TokenInfo) bool {
	return ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 && strings.TrimSpace(ti.Label) == ""
}

// slotList lists the slots with a token. C_GetSlotList is called twice (count, then fill);
// OpenSC may add a slot in between while it discovers readers, answering
// CKR_BUFFER_TOO_SMALL: ask again, a bounded number of times.
func slotList(ctx *pkcs11.Ctx) ([]uint, error) {
	var err error
	for range 5 {
		var ids []uint
		if ids, err = ctx.GetSlotList(true); !errors.Is(err, pkcs11.Error(pkcs11.CKR_BUFFER_TOO_SMALL)) {
			return ids, err
		}
	}
	return nil, err
}
