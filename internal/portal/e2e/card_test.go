package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// Ports of this package (docs/architecture.md).
const (
	portFirst  = 35967
	portSecond = 35968
)

// TestCardLoginAndTakeover: two virtual CPE cards, OpenSC, the cpx-agent binary and a portal
// over TLS. The first card signs in, gets its profile and phone 1001 and watches its events;
// the second meets the conflict, takes the phone over, and the first hears it.
func TestCardLoginAndTakeover(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite)
	agentBin := binary(t, "cpx-agent")
	module := testrig.OpenSCModule(t)
	conf := testrig.OpenSCConf(t)
	c1 := testrig.StartCard(t, portFirst, "cpe")
	c2 := testrig.StartCard(t, portSecond, "cpe2")
	pt.Enroll(t, c1.Holder.Holder)
	pt.Enroll(t, c2.Holder.Holder)
	caFile := filepath.Join(t.TempDir(), "portal-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pt.PKI.Root.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	login := func(reader, ws string, extra ...string) *exec.Cmd {
		args := append([]string{"login", "card", "--portal", pt.URL, "--pin-stdin", "--json", "--reader", reader,
			"--module", module, "--ca", caFile, "--workstation", ws, "--phone", "1001"}, extra...)
		cmd := exec.Command(agentBin, args...)
		cmd.Env = append(os.Environ(), "OPENSC_CONF="+conf)
		cmd.Stdin = strings.NewReader(vcard.DefaultPIN + "\n")
		return cmd
	}

	first := login(c1.Reader, "ws-1", "--watch")
	out, err := first.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr1 strings.Builder
	first.Stderr = &stderr1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	lines := jsonLines(out)
	s1 := expectLine(t, lines, "session", &stderr1)
	var sess api.Session
	decode(t, s1, &sess)
	if sess.Phone != "1001" || sess.Profile == nil || sess.Profile.Entity.ID != portaltest.Entity ||
		sess.User.NationalID != c1.Holder.Holder.NationalID {
		t.Fatalf("first session: %+v", sess)
	}

	// The second card without --takeover: refused, exit code 3, names the holder.
	second := login(c2.Reader, "ws-2")
	b, err := second.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(string(b), "CAMILLE MARTIN") {
		t.Fatalf("second card without takeover: %v\n%s", err, b)
	}
	second = login(c2.Reader, "ws-2", "--takeover")
	b, err = second.Output()
	if err != nil {
		t.Fatalf("takeover: %v\n%s", err, b)
	}
	var s2 struct{ Session api.Session }
	if err := json.Unmarshal(b, &s2); err != nil || s2.Session.Phone != "1001" {
		t.Fatalf("takeover session: %s (%v)", b, err)
	}

	ev := expectLine(t, lines, "event", &stderr1)
	var e api.Event
	decode(t, ev, &e)
	if e.Type != api.EventPhoneTakenOver || e.Phone != "1001" || e.By != "JULIEN BERNARD" {
		t.Fatalf("first session's event: %+v", e)
	}
	first.Process.Signal(syscall.SIGTERM)
	if err := first.Wait(); err != nil {
		t.Fatalf("first agent: %v\n%s", err, stderr1.String())
	}
	phones, err := pt.Store.Phones(context.Background(), portaltest.Entity)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range phones {
		if p.Number == "1001" && (p.SessionID != s2.Session.ID || p.Holder != "JULIEN BERNARD") {
			t.Fatalf("phone 1001 held by %q (%s), want the second session", p.Holder, p.SessionID)
		}
	}
	first1, err := pt.Store.SessionByID(context.Background(), sess.ID)
	if err != nil || first1.EndReason != store.EndSignedOut {
		t.Fatalf("first session after SIGTERM: %+v %v", first1, err)
	}
}

// jsonLines sends each stdout line, parsed as a one-key JSON object, on a channel.
func jsonLines(r io.Reader) <-chan map[string]json.RawMessage {
	ch := make(chan map[string]json.RawMessage, 8)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			var m map[string]json.RawMessage
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				ch <- m
			}
		}
	}()
	return ch
}

func expectLine(t *testing.T, lines <-chan map[string]json.RawMessage, key string, stderr *strings.Builder) json.RawMessage {
	t.Helper()
	select {
	case m, ok := <-lines:
		if !ok {
			t.Fatalf("agent ended before printing %q; stderr:\n%s", key, stderr.String())
		}
		v, found := m[key]
		if !found {
			t.Fatalf("agent printed %v, want %q", m, key)
		}
		return v
	case <-time.After(60 * time.Second):
		t.Fatalf("agent printed no %q in 60 s; stderr:\n%s", key, stderr.String())
	}
	return nil
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
