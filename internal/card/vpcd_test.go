//go:build linux

package card

import (
	"context"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// Test ports (docs/architecture.md): 35963 → "Virtual PCD 00 00", 35964 → "Virtual PCD 00 01".
const (
	portA = 35963
	portB = 35964
)

var (
	readerA = testrig.ReaderForPort(portA)
	readerB = testrig.ReaderForPort(portB)
)

// startCard starts a virtual card (internal/vcard through testrig) answering the ATR named
// atrName in drivers/atr.tsv, not inserted yet.
func startCard(t *testing.T, port int, atrName string) *testrig.Card {
	t.Helper()
	return testrig.StartCard(t, port, "cpe", testrig.WithATR(atrOf(t, atrName)), testrig.Removed())
}

// insert puts the card in without waiting: the test measures what the Monitor sees.
func insert(t *testing.T, c *testrig.Card) {
	t.Helper()
	if err := c.Insert(); err != nil {
		t.Fatalf("insert card on port %d: %v", c.Port, err)
	}
}

func remove(t *testing.T, c *testrig.Card) {
	t.Helper()
	if err := c.Remove(); err != nil {
		t.Fatalf("remove card on port %d: %v", c.Port, err)
	}
}

// stop ends a Monitor and waits for its stream to close, so that no PC/SC call of it
// overlaps the next test's.
func stop(cancel context.CancelFunc, ch <-chan Event) {
	cancel()
	for range ch {
	}
}
