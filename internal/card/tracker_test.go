package card

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/drivers"
	"github.com/ebfe/scard"
)

func atrOf(t *testing.T, name string) []byte {
	t.Helper()
	e, ok := drivers.ATRByName(name)
	if !ok {
		t.Fatalf("no ATR named %q in drivers/atr.tsv", name)
	}
	return e.ATR
}

func kinds(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Kind.String()+":"+e.Reader)
	}
	return strings.Join(s, " ")
}

func TestTrackerSequence(t *testing.T) {
	cps4, cps3 := atrOf(t, "cps4"), atrOf(t, "cps3")
	other := []byte{0x3B, 0x02, 0x14, 0x50}
	tr := newTracker(func() time.Time { return time.Unix(1, 0) })
	steps := []struct {
		name string
		obs  []observation
		want string
	}{
		{"start, card present", []observation{{Reader: "A", Present: true, ATR: cps4, Counter: 1}, {Reader: "B"}},
			"reader-added:A card-inserted:A reader-added:B"},
		{"same again", []observation{{Reader: "A", Present: true, ATR: cps4, Counter: 1}, {Reader: "B"}}, ""},
		{"removed", []observation{{Reader: "A", Counter: 2}, {Reader: "B"}}, "card-removed:A"},
		{"stale ATR while empty", []observation{{Reader: "A", ATR: cps4, Counter: 2}, {Reader: "B"}}, ""},
		{"inserted in B", []observation{{Reader: "A", Counter: 2}, {Reader: "B", Present: true, ATR: other, Counter: 1}}, "card-inserted:B"},
		{"swap in B seen by counter", []observation{{Reader: "A", Counter: 2}, {Reader: "B", Present: true, ATR: other, Counter: 3}}, "card-removed:B card-inserted:B"},
		{"swap in B seen by ATR", []observation{{Reader: "A", Counter: 2}, {Reader: "B", Present: true, ATR: cps3, Counter: 3}}, "card-removed:B card-inserted:B"},
		{"mute card keeps no ATR: no swap", []observation{{Reader: "A", Counter: 2}, {Reader: "B", Present: true, Counter: 3}}, ""},
		{"reader B unplugged with its card", []observation{{Reader: "A", Counter: 2}}, "card-removed:B reader-removed:B"},
		{"reader C plugged", []observation{{Reader: "A", Counter: 2}, {Reader: "C"}}, "reader-added:C"},
	}
	for _, s := range steps {
		if got := kinds(tr.update(s.obs)); got != s.want {
			t.Errorf("%s: events %q, want %q", s.name, got, s.want)
		}
	}
	if got := kinds(tr.reset()); got != "reader-removed:A reader-removed:C" {
		t.Errorf("reset: %q", got)
	}
	if got := kinds(tr.reset()); got != "" {
		t.Errorf("second reset: %q", got)
	}
}

func TestTrackerIdentifies(t *testing.T) {
	tr := newTracker(time.Now)
	evs := tr.update([]observation{{Reader: "A", Present: true, ATR: atrOf(t, "cps4"), Counter: 1}, {Reader: "B", Present: true, ATR: []byte{0x3B, 0x00}, Counter: 1}})
	if len(evs) != 4 {
		t.Fatalf("events: %v", kinds(evs))
	}
	a, b := evs[1], evs[3]
	if !a.Card.Known || a.Card.Generation != "CPS4" || a.Card.Family != "CPx" || a.Card.Name != "cps4" {
		t.Errorf("A identified as %+v", a.Card)
	}
	if b.Card.Known || b.Card.String() != "not a CPx card" {
		t.Errorf("B identified as %+v (%s)", b.Card, b.Card)
	}
	if !strings.Contains(a.String(), "3B 9B 18 80") || !strings.Contains(a.String(), "CPS4") {
		t.Errorf("event text %q", a.String())
	}
	// The removal carries the ATR of the card that left.
	rm := tr.update([]observation{{Reader: "A", Counter: 2}, {Reader: "B", Present: true, ATR: []byte{0x3B, 0x00}, Counter: 1}})
	if len(rm) != 1 || rm[0].Kind != CardRemoved || rm[0].Card.Generation != "CPS4" {
		t.Errorf("removal: %+v", rm)
	}
}

func TestMapErr(t *testing.T) {
	cases := []struct {
		in   scard.Error
		want error
	}{
		{scard.ErrNoService, ErrNoService},
		{scard.ErrInvalidHandle, ErrNoService},
		{scard.ErrServiceStopped, ErrNoService},
		{scard.ErrCommError, ErrNoService},
		{scard.ErrNoReadersAvailable, ErrNoReader},
		{scard.ErrUnknownReader, ErrNoReader},
		{scard.ErrNoSmartcard, ErrNoCard},
		{scard.ErrRemovedCard, ErrNoCard},
		{scard.ErrSharingViolation, ErrSharingViolation},
		{scard.ErrUnresponsiveCard, ErrCardMute},
		{scard.ErrCancelled, ErrCancelled},
	}
	for _, c := range cases {
		err := mapErr(c.in)
		if !errors.Is(err, c.want) {
			t.Errorf("mapErr(%v) = %v, not %v", c.in, err, c.want)
		}
		var se scard.Error
		if !errors.As(err, &se) || se != c.in {
			t.Errorf("mapErr(%v) lost the scard code", c.in)
		}
	}
	if err := mapErr(scard.ErrInternalError); !errors.Is(err, scard.ErrInternalError) || errors.Is(err, ErrNoService) {
		t.Errorf("unmapped code: %v", err)
	}
	if mapErr(nil) != nil {
		t.Error("mapErr(nil) != nil")
	}
}
