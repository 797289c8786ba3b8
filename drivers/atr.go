package drivers

import (
	"bufio"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"
	"sync"
)

//go:embed atr.tsv
var atrTSV string

// Interface is how a card talks to its reader.
type Interface string

// Card interfaces named in atr.tsv.
const (
	Contact     Interface = "contact"
	Contactless Interface = "contactless"
)

// ATREntry is one row of atr.tsv.
type ATREntry struct {
	Name       string    // stable key, e.g. "cps4"
	ATR        []byte    // reference ATR
	Mask       []byte    // same length as ATR; all 0xFF when the table gives no mask
	Family     string    // "CPx": the ATR does not tell CPS from CPE/CPF/CPA
	Generation string    // "CPS3", "CPS4"
	Interface  Interface // contact or contactless
	Comment    string
}

// Matches reports whether atr matches the entry under its mask: same length, and every byte
// equal once both are masked.
func (e ATREntry) Matches(atr []byte) bool {
	if len(atr) != len(e.ATR) {
		return false
	}
	for i := range atr {
		if atr[i]&e.Mask[i] != e.ATR[i]&e.Mask[i] {
			return false
		}
	}
	return true
}

// specificity counts the mask bits set: the more, the more precise the entry.
func (e ATREntry) specificity() int {
	n := 0
	for _, b := range e.Mask {
		n += bits.OnesCount8(b)
	}
	return n
}

var (
	atrOnce    sync.Once
	atrEntries []ATREntry
)

func table() []ATREntry {
	atrOnce.Do(func() {
		entries, err := ParseATRTable(atrTSV)
		if err != nil {
			// The table is embedded at build time and checked by the tests: a parse error is a
			// programming error, not a runtime condition.
			panic("drivers: embedded atr.tsv: " + err.Error())
		}
		atrEntries = entries
	})
	return atrEntries
}

// ATRs returns a copy of the embedded ATR table, in file order.
func ATRs() []ATREntry {
	t := table()
	out := make([]ATREntry, len(t))
	for i, e := range t {
		out[i] = e.clone()
	}
	return out
}

// IdentifyATR finds the table entry matching atr. When several entries match, the one whose
// mask has the most bits set wins (an exact row beats a masked family row); ties go to the
// first in file order.
func IdentifyATR(atr []byte) (ATREntry, bool) {
	best, bestScore := -1, -1
	for i, e := range table() {
		if e.Matches(atr) && e.specificity() > bestScore {
			best, bestScore = i, e.specificity()
		}
	}
	if best < 0 {
		return ATREntry{}, false
	}
	return table()[best].clone(), true
}

// ATRByName returns the entry named name (cps3, cps3-variant, cps3-contactless, cps4,
// cps4-rc, cps4-t0).
func ATRByName(name string) (ATREntry, bool) {
	for _, e := range table() {
		if e.Name == name {
			return e.clone(), true
		}
	}
	return ATREntry{}, false
}

func (e ATREntry) clone() ATREntry {
	e.ATR = append([]byte(nil), e.ATR...)
	e.Mask = append([]byte(nil), e.Mask...)
	return e
}

// ParseATRTable parses the atr.tsv format: a header row, then one entry per line; blank lines
// and lines starting with '#' are ignored.
func ParseATRTable(text string) ([]ATREntry, error) {
	var out []ATREntry
	seen := map[string]bool{}
	header := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		raw := sc.Text()
		if strings.TrimSpace(raw) == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		if !header {
			header = true
			if !strings.HasPrefix(raw, "name\t") {
				return nil, fmt.Errorf("atr table line %d: missing header row", line)
			}
			continue
		}
		e, err := parseATRRow(raw)
		if err != nil {
			return nil, fmt.Errorf("atr table line %d: %w", line, err)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("atr table line %d: duplicate name %q", line, e.Name)
		}
		seen[e.Name] = true
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("atr table: %w", err)
	}
	return out, nil
}

func parseATRRow(raw string) (ATREntry, error) {
	f := strings.Split(raw, "\t")
	if len(f) != 7 {
		return ATREntry{}, fmt.Errorf("want 7 tab-separated columns, got %d", len(f))
	}
	e := ATREntry{Name: f[0], Family: f[3], Generation: f[4], Interface: Interface(f[5]), Comment: f[6]}
	if e.Name == "" || e.Family == "" || e.Generation == "" {
		return ATREntry{}, fmt.Errorf("name, family and generation are required")
	}
	if e.Interface != Contact && e.Interface != Contactless {
		return ATREntry{}, fmt.Errorf("%s: interface %q is neither contact nor contactless", e.Name, f[5])
	}
	var err error
	if e.ATR, err = hex.DecodeString(f[1]); err != nil || len(e.ATR) < 2 || len(e.ATR) > 33 {
		return ATREntry{}, fmt.Errorf("%s: bad atr %q (2 to 33 hex bytes)", e.Name, f[1])
	}
	if f[2] == "" {
		e.Mask = make([]byte, len(e.ATR))
		for i := range e.Mask {
			e.Mask[i] = 0xFF
		}
		return e, nil
	}
	if e.Mask, err = hex.DecodeString(f[2]); err != nil || len(e.Mask) != len(e.ATR) {
		return ATREntry{}, fmt.Errorf("%s: bad mask %q (hex, as long as the atr)", e.Name, f[2])
	}
	return e, nil
}
