package card

import (
	"fmt"

	"github.com/cpx-agent/cpx-agent/drivers"
)

// Identification is what the ATR table says of a card.
type Identification struct {
	Known      bool   // the ATR is in drivers/atr.tsv: a CPx card
	Name       string // table key, e.g. "cps4"
	Family     string // "CPx" (the ATR does not tell CPS from CPE/CPF/CPA)
	Generation string // "CPS3", "CPS4"
	Interface  string // "contact" or "contactless"
}

// Identify looks atr up in the ATR table.
func Identify(atr []byte) Identification {
	e, ok := drivers.IdentifyATR(atr)
	if !ok {
		return Identification{}
	}
	return Identification{Known: true, Name: e.Name, Family: e.Family, Generation: e.Generation, Interface: string(e.Interface)}
}

// String is a short English description for IT staff.
func (id Identification) String() string {
	if !id.Known {
		return "not a CPx card"
	}
	return id.Family + " " + id.Generation + " (" + id.Name + ", " + id.Interface + ")"
}

// FormatATR renders an ATR as spaced upper-case hex, as pcsc_scan and opensc-tool do.
func FormatATR(atr []byte) string { return fmt.Sprintf("% X", atr) }
