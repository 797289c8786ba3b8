package card

import (
	"fmt"
	"time"
)

// EventKind says what happened.
type EventKind int

// Event kinds. The names (String) are stable: `cpx-agent card watch --json` prints them.
const (
	ReaderAdded EventKind = iota
	ReaderRemoved
	CardInserted
	CardRemoved
	ServiceDown // PC/SC service lost; the monitor reconnects by itself
	ServiceUp   // PC/SC service back after a ServiceDown
)

var kindNames = [...]string{"reader-added", "reader-removed", "card-inserted", "card-removed", "service-down", "service-up"}

func (k EventKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return kindNames[k]
}

// Event is one thing the Monitor saw.
type Event struct {
	Kind   EventKind
	Reader string         // empty for ServiceDown/ServiceUp
	ATR    []byte         // CardInserted and CardRemoved: the card's ATR
	Card   Identification // CardInserted and CardRemoved
	Err    error          // ServiceDown: why
	Time   time.Time
}

// String is one line for IT staff.
func (e Event) String() string {
	switch e.Kind {
	case CardInserted, CardRemoved:
		return fmt.Sprintf("%s %q ATR %s: %s", e.Kind, e.Reader, FormatATR(e.ATR), e.Card)
	case ServiceDown:
		return fmt.Sprintf("%s: %v", e.Kind, e.Err)
	case ServiceUp:
		return e.Kind.String()
	default:
		return fmt.Sprintf("%s %q", e.Kind, e.Reader)
	}
}
