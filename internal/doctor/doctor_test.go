package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/drivers"
	"github.com/cpx-agent/cpx-agent/internal/card"
)

func cps4(t *testing.T) []byte {
	e, ok := drivers.ATRByName("cps4")
	if !ok {
		t.Fatal("no cps4 ATR")
	}
	return e.ATR
}

func TestCardCheck(t *testing.T) {
	cases := []struct {
		name   string
		list   []card.ReaderStatus
		status Status
		fix    string
	}{
		{"cpx card", []card.ReaderStatus{{Name: "A"}, {Name: "B", CardPresent: true, ATR: cps4(t), Card: card.Identify(cps4(t))}}, OK, ""},
		{"empty", []card.ReaderStatus{{Name: "A"}}, Warn, "Insérez votre carte"},
		{"other card", []card.ReaderStatus{{Name: "A", CardPresent: true, ATR: []byte{0x3B, 0}, Card: card.Identify([]byte{0x3B, 0})}}, Warn, "pas une carte CPx"},
		{"held exclusively", []card.ReaderStatus{{Name: "A", CardPresent: true, Err: card.ErrSharingViolation}}, Fail, "exclusivité"},
		{"mute", []card.ReaderStatus{{Name: "A", CardPresent: true, Err: card.ErrCardMute}}, Fail, "ne répond pas"},
	}
	for _, c := range cases {
		got, readers := cardCheck(c.list)
		if got.Status != c.status || !strings.Contains(got.Fix, c.fix) || (c.fix == "") != (got.Fix == "") {
			t.Errorf("%s: %+v", c.name, got)
		}
		if (c.status == OK) != (len(readers) == 1) {
			t.Errorf("%s: card readers %v", c.name, readers)
		}
	}
}

func TestPCSCDown(t *testing.T) {
	readers = func() ([]card.ReaderStatus, error) {
		return nil, fmt.Errorf("readers: establish context: %w", card.ErrNoService)
	}
	defer func() { readers = card.Readers }()
	res := checkPCSC("")
	if len(res.checks) != 1 || res.checks[0].Status != Fail || !strings.Contains(res.checks[0].Fix, "pcscd") ||
		!strings.Contains(res.checks[0].Detail, "service unavailable") {
		t.Fatalf("checks %+v", res.checks)
	}
}

func TestReaderFilterNotFound(t *testing.T) {
	readers = func() ([]card.ReaderStatus, error) { return []card.ReaderStatus{{Name: "A"}}, nil }
	defer func() { readers = card.Readers }()
	res := checkPCSC("B")
	if last := res.checks[len(res.checks)-1]; last.Name != "readers" || last.Status != Fail || !strings.Contains(last.Detail, `"B"`) {
		t.Fatalf("checks %+v", res.checks)
	}
}

func TestClock(t *testing.T) {
	if c := checkClock(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); c.Status != Fail || c.Fix == "" {
		t.Errorf("2020: %+v", c)
	}
	if c := checkClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); c.Status != OK {
		t.Errorf("2026: %+v", c)
	}
}

// The portal's Date header through a real HTTPS server on loopback.
func TestPortalClock(t *testing.T) {
	var skew time.Duration
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(-skew).UTC().Format(http.TimeFormat))
	}))
	defer srv.Close()
	cfg := Config{PortalURL: srv.URL, HTTP: srv.Client(), Now: time.Now}
	for _, c := range []struct {
		skew time.Duration
		want Status
	}{{0, OK}, {time.Minute, Warn}, {-10 * time.Minute, Fail}, {10 * time.Minute, Fail}} {
		skew = c.skew
		if got := checkPortalClock(context.Background(), cfg); got.Status != c.want || (c.want != OK) == (got.Fix == "") {
			t.Errorf("skew %v: %+v", c.skew, got)
		}
	}
	if got := checkPortalClock(context.Background(), Config{Now: time.Now}); got.Status != Skip || !strings.Contains(got.Detail, "not configured") {
		t.Errorf("no URL: %+v", got)
	}
	srv.Close()
	if got := checkPortalClock(context.Background(), cfg); got.Status != Warn || !strings.Contains(got.Detail, "unreachable") {
		t.Errorf("portal down: %+v", got)
	}
}

func TestReportOutput(t *testing.T) {
	r := Report{Time: time.Unix(0, 0), Checks: []Check{
		{Name: "pcscd", Title: "PC/SC service", Status: OK, Detail: "reachable"},
		{Name: "card", Title: "Card", Status: Fail, Detail: "x", Fix: "Faites ceci."},
	}}
	if !r.Failed() {
		t.Fatal("Failed() = false with a failed check")
	}
	text := r.Text()
	if !strings.Contains(text, "[fail] card") || !strings.Contains(text, "→ Faites ceci.") || !strings.Contains(text, "FAILED") {
		t.Fatalf("text:\n%s", text)
	}
	raw, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Checks []map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(raw, &back); err != nil || len(back.Checks) != 2 || back.Checks[1]["fix"] != "Faites ceci." ||
		back.Checks[0]["status"] != "ok" || back.Checks[1]["name"] != "card" {
		t.Fatalf("json %s: %v", raw, err)
	}
	r.Checks = r.Checks[:1]
	if r.Failed() || !strings.Contains(r.Text(), "all checks passed") {
		t.Fatal("passing report")
	}
}
