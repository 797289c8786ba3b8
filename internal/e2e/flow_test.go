//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
)

// firstPassword is typed on the first-password screen (the "sante" policy: 12+ characters,
// lower, upper, digit, symbol). Test data, not a secret.
const firstPassword = "Regulation-Samu-2026!"

// watcher is internal/card's monitor on our reader only, in the test process: the time pcscd
// reports a card arriving or leaving, seen through the same code the agent uses.
type watcher struct {
	ev     <-chan card.Event
	cancel context.CancelFunc
}

func watch(t testing.TB, reader string) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{ev: card.NewMonitor(card.Options{Reader: reader}).Events(ctx), cancel: cancel}
	t.Cleanup(cancel)
	return w
}

// next returns the time of the next event of kind.
func (w *watcher) next(t testing.TB, kind card.EventKind) time.Time {
	t.Helper()
	limit := time.After(testrig.CardTimeout)
	for {
		select {
		case ev, ok := <-w.ev:
			if !ok {
				t.Fatal("card monitor stopped")
			}
			if ev.Kind == kind {
				return ev.Time
			}
		case <-limit:
			t.Fatalf("card monitor: no %v event within %v", kind, testrig.CardTimeout)
		}
	}
}

// operatorPINTime is how long after the PIN screen shows an operator validates the PIN (four
// digits typed, then Enter): the engine reads the card (tries, holder, serial) in the
// background meanwhile. The test types faster than that; it waits out the rest, so that
// "PIN submitted → banner" starts where an operator's would, after the reading.
const operatorPINTime = time.Second

// settleTime is how long after its window shows the agent is left alone before the first
// card: it prepares the sign-in screens off screen meanwhile (internal/ui/warm.go, about
// 0.2 s), as it does for an operator who inserts the card seconds after the session opens.
const settleTime = time.Second

// signInTimes are the machine's share of a sign-in through the window: from each key the
// user pressed to the next screen (the test's typing is left out).
type signInTimes struct {
	MonitorInsert time.Duration // card inserted (vcard) → pcscd/monitor event
	InsertToPIN   time.Duration // card inserted → PIN screen seen
	PINToBanner   time.Duration // sum of: PIN Enter → profile, profile Enter → phone, phone Enter → … → banner
	Steps         []transition  // the transitions summed in PINToBanner
}

// transition is one key the user pressed and the screen it led to.
type transition struct {
	Key  time.Time // the key press was sent (xKey)
	Step string    // the engine's step of the next screen, as in the state trace
	Seen time.Time // that screen first seen in the window
}

// press sends one timed key (xKey) and fails the test if it cannot.
func (a *Agent) press(t testing.TB, keysym string) time.Time {
	t.Helper()
	at, err := xKey(keysym)
	if err != nil {
		t.Fatalf("press %s: %v", keysym, err)
	}
	return at
}

// next presses keysym and waits for screen want (trace step step), recording the transition.
func (st *signInTimes) next(t testing.TB, a *Agent, ref screens, keysym, want, step string) {
	t.Helper()
	t1 := a.press(t, keysym)
	seen := a.waitScreen(t, ref, want, 30*time.Second)
	st.Steps = append(st.Steps, transition{Key: t1, Step: step, Seen: seen})
	st.PINToBanner += seen.Sub(t1)
}

// signIn drives the window from the home screen to the banner, saving a screenshot of each
// screen in shots ("" = none).
func signIn(t testing.TB, a *Agent, c *testrig.Card, ref screens, phone, shots string) signInTimes {
	t.Helper()
	shot := func(name string) {
		if shots != "" {
			a.Shot(t, filepath.Join(shots, name+".png"))
		}
	}
	var st signInTimes
	time.Sleep(time.Until(a.waitScreen(t, ref, "home", 20*time.Second).Add(settleTime)))
	shot("01-accueil")
	w := watch(t, c.Reader)
	w.next(t, card.ReaderAdded) // the monitor's initial report of the empty reader
	t0 := time.Now()
	if err := c.Insert(); err != nil {
		t.Fatalf("insert the card: %v", err)
	}
	tPIN := a.waitScreen(t, ref, "pin", 20*time.Second)
	st.InsertToPIN, st.MonitorInsert = tPIN.Sub(t0), w.next(t, card.CardInserted).Sub(t0)
	w.cancel()
	if shots != "" {
		time.Sleep(300 * time.Millisecond) // the card is read: its holder on the screen
	}
	shot("02-code-pin")

	a.Keys(t, "type", "--delay", "40", PIN)
	time.Sleep(time.Until(tPIN.Add(operatorPINTime))) // the card reading overlaps the typing
	st.next(t, a, ref, "Return", "profile", "choose_profile")
	time.Sleep(300 * time.Millisecond) // let the last frame land before the screenshot
	shot("03-profil")
	st.next(t, a, ref, "Return", "phone", "link_phone")
	time.Sleep(300 * time.Millisecond)
	shot("04-telephone")
	a.Keys(t, "key", "ctrl+a", "BackSpace") // the field holds the last phone of this workstation
	a.Keys(t, "type", "--delay", "40", phone)
	a.afterActions(t, ref, &st, a.press(t, "Return"), shot)
	time.Sleep(300 * time.Millisecond)
	shot("07-bandeau")
	return st
}

// afterActions handles the screens a dev user may still owe after the phone (first password,
// OTP channels: skipped with "Terminer") until the banner, adding each transition from the
// key press t1 to st. A screen counts as seen at the end of the read that saw it.
func (a *Agent) afterActions(t testing.TB, ref screens, st *signInTimes, t1 time.Time, shot func(string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	seen := map[string]bool{}
	record := func(step string, at time.Time) {
		st.Steps = append(st.Steps, transition{Key: t1, Step: step, Seen: at})
		st.PINToBanner += at.Sub(t1)
	}
	for time.Now().Before(deadline) {
		banner := isBanner(a.Size(t))
		h := a.band()
		at := time.Now()
		if banner && h != "" && ref[h] == "" {
			record("signed_in", at) // the banner strip, painted with a title band of its own
			return
		}
		name := ref[h]
		switch {
		case name == "set_password" && !seen[name]:
			record(name, at)
			seen[name] = true
			time.Sleep(300 * time.Millisecond)
			shot("05-premier-mot-de-passe")
			a.Keys(t, "type", "--delay", "20", firstPassword)
			a.Keys(t, "key", "Return") // to the confirmation field
			a.Keys(t, "type", "--delay", "20", firstPassword)
			t1 = a.press(t, "Return")
		case name == "otp_channels" && !seen[name]:
			record(name, at)
			seen[name] = true
			time.Sleep(300 * time.Millisecond)
			shot("06-canaux-otp")
			// The focus is in the SMS field: Shift+Tab wraps to the last button, "Terminer".
			a.Keys(t, "key", "shift+Tab")
			t1 = a.press(t, "space")
		case name == "phone" || name == "home" || name == "pin":
			if strings.Contains(a.Stderr.String(), "level=ERROR") || time.Since(t1) > 10*time.Second {
				t.Fatalf("back on screen %q after the phone; cpx-agent stderr:\n%s", name, a.Stderr.String())
			}
		}
		time.Sleep(pollEvery)
	}
	shotPath := filepath.Join(os.TempDir(), fmt.Sprintf("cpx-e2e-no-banner-%d.png", time.Now().UnixNano()))
	a.Shot(t, shotPath)
	t.Fatalf("no banner (a 1280-wide strip) within 60 s: window is %s, shown in %s (screens handled %v); cpx-agent stderr:\n%s",
		a.Size(t), shotPath, seen, a.Stderr.String())
}

// TestRealWindowCardSignIn: the real agent, portal and card; keyboard only. Card in → PIN →
// profile → phone 1001 → (first password, OTP channels skipped) → banner, checked on the
// portal; card out → locked within 1 s of the card monitor's removal event.
func TestRealWindowCardSignIn(t *testing.T) {
	requireX(t)
	p := startPortal(t)
	c := startCard(t, p, "cpe")
	ref := references(t)
	env := agentEnv(t, p, c)
	a := startAgent(t, env, "gui", "--lang", "fr")
	checkSecondLaunch(t, env)
	shots := os.Getenv("CPX_E2E_SHOTS") // e.g. docs/screenshots/real to refresh the committed ones
	if shots == "" {
		shots = t.TempDir()
	}
	st := signIn(t, a, c, ref, "1001", shots)
	t.Logf("card in → monitor event %v, → PIN screen %v; PIN → banner (machine) %v:%s",
		st.MonitorInsert, st.InsertToPIN, st.PINToBanner, st.describe(a.Stderr.String()))

	sessions := p.Admin(t, "session", "list")
	if !sessionLine(sessions, "poste-e2e", "1001") {
		t.Fatalf("the portal shows no session of poste-e2e on phone 1001:\n%s", sessions)
	}

	w := watch(t, c.Reader)
	w.next(t, card.ReaderAdded)
	t0 := time.Now()
	if err := c.Remove(); err != nil {
		t.Fatalf("remove the card: %v", err)
	}
	tLocked := a.waitLocked(t, ref, 10*time.Second)
	tMon := w.next(t, card.CardRemoved)
	// Back from the banner strip, the lock screen must get the 540×500 window again (seen on
	// 23/11/2026: the lock screen drawn in a 1280×290 window, the rest left unpainted).
	if size := a.waitSize(t, "540x500", 2*time.Second); size != "540x500" {
		t.Errorf("lock screen in a %s window, want 540x500 (internal/ui show: the resize back from the banner did not take)", size)
	}
	a.Shot(t, filepath.Join(shots, "08-verrouille.png"))
	agentPart, pcsc := tLocked.Sub(tMon), tMon.Sub(t0)
	t.Logf("card out → monitor event %v (pcscd's detection), → locked screen %v after it (total %v)", pcsc, agentPart, tLocked.Sub(t0))
	if agentPart > time.Second {
		t.Errorf("locked %v after the card monitor saw the card leave, want ≤ 1 s", agentPart)
	}
	if sessions := p.Admin(t, "session", "list"); !sessionLine(sessions, "poste-e2e", "1001") {
		t.Errorf("the lock policy keeps the session; the portal lost it:\n%s", sessions)
	}
	checkLogClean(t, env)
}

// waitSize waits up to limit for the window to have size and returns the last size seen.
func (a *Agent) waitSize(t testing.TB, size string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := a.Size(t)
		if got == size || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isBanner tells a window size of the banner: the full-width strip, 56 px high, or about 100
// with a notice on a second line.
func isBanner(size string) bool {
	w, h, _ := strings.Cut(size, "x")
	n, err := strconv.Atoi(h)
	return w == "1280" && err == nil && n <= 120
}

// waitLocked waits for the 540×500 window showing the lock screen.
func (a *Agent) waitLocked(t testing.TB, ref screens, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if ref[a.band()] == "locked" {
			return time.Now()
		}
		time.Sleep(pollEvery)
	}
	t.Fatalf("not locked within %v (window %s); cpx-agent stderr:\n%s", limit, a.Size(t), a.Stderr.String())
	return time.Time{}
}

// sessionLine tells whether `admin session list` has a line with the workstation and phone.
func sessionLine(out, workstation, phone string) bool {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		hasW, hasP := false, false
		for _, x := range f {
			hasW = hasW || x == workstation
			hasP = hasP || x == phone
		}
		if hasW && hasP {
			return true
		}
	}
	return false
}

var _ = exec.Command
