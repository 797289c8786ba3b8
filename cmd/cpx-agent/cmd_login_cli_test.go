package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

const jeannePassword = "Vx7#pluie-Orage"

// otpCLI is a real portal (TLS, SMTP delivery) and a scratch keyring for `login otp` runs.
type otpCLI struct {
	t     *testing.T
	pt    *portaltest.Portal
	srv   *smtptest.Server
	ca    string
	mails int
}

func newOTPCLI(t *testing.T) *otpCLI {
	pt, srv, ca := otpPortal(t)
	otpKeys = keystore.NewService("cpx-agent-test-" + store.NewID()[:8])
	t.Cleanup(func() { otpKeys.Delete(deviceTokenKey("jeanne.testeuse")); otpKeys = keystore.New() })
	isolateConfig(t, nil)
	return &otpCLI{t: t, pt: pt, srv: srv, ca: ca}
}

// isolateConfig makes the login commands read only the given configuration file (none when
// cfg is nil) and no CPX_AGENT_* environment.
func isolateConfig(t *testing.T, cfg map[string]string) {
	src := config.Sources{Env: func(string) (string, bool) { return "", false }}
	if cfg != nil {
		b, _ := json.Marshal(cfg)
		src.System = filepath.Join(t.TempDir(), "config.json")
		must(t, os.WriteFile(src.System, b, 0o600))
	}
	loginConfigSources = func() config.Sources { return src }
	t.Cleanup(func() { loginConfigSources = config.DefaultSources })
}

// args: `login otp` for jeanne with the code relayed from the next mail.
func (c *otpCLI) args(extra ...string) []string {
	c.mails++
	codeFile := filepath.Join(c.t.TempDir(), "code")
	go relayCode(c.t, c.srv, c.mails, codeFile)
	return append([]string{"login", "otp", "--identifiant", "jeanne.testeuse", "--password-stdin",
		"--code-file", codeFile, "--code-wait", "20s"}, extra...)
}

func (c *otpCLI) portalArgs() []string { return []string{"--portal", c.pt.URL, "--ca", c.ca} }

func (c *otpCLI) openSessions() []store.Session {
	ss, err := c.pt.Store.Sessions(context.Background(), true, 100)
	must(c.t, err)
	return ss
}

// S1-6 + S1-7 + S2-11: a failure after the sign-in leaves no session open, prints no session,
// and --json gives one {"error": …} line with the stable code.
func TestLoginFailureSignsOutAndPrintsError(t *testing.T) {
	c := newOTPCLI(t)
	var out, errb bytes.Buffer
	args := append(c.args(c.portalArgs()...), "--phone", "9999", "--json")
	code := run(args, strings.NewReader(jeannePassword+"\n"), &out, &errb)
	if code != exitError {
		t.Fatalf("unknown phone: exit %d, want %d; stderr %q", code, exitError, errb.String())
	}
	var got struct {
		Error   *cliError
		Session *api.Session
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Error == nil || got.Session != nil ||
		strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout %q (%v): want exactly one error line and no session", out.String(), err)
	}
	if got.Error.Code != api.CodePhoneUnknown || !strings.Contains(got.Error.Message, "aucun téléphone") {
		t.Fatalf("error %+v", got.Error)
	}
	if !strings.Contains(errb.String(), got.Error.Message) || strings.Contains(errb.String(), "Connecté") {
		t.Fatalf("stderr %q", errb.String())
	}
	if open := c.openSessions(); len(open) != 0 {
		t.Fatalf("%d session(s) left open after a failed login: %+v", len(open), open[0])
	}

	// Text mode: the French sentence on stderr, nothing on stdout.
	out.Reset()
	errb.Reset()
	args = append(c.args(c.portalArgs()...), "--phone", "9999")
	if code := run(args, strings.NewReader(jeannePassword+"\n"), &out, &errb); code != exitError || out.Len() != 0 {
		t.Fatalf("text mode: exit %d, stdout %q", code, out.String())
	}
	// Success without --watch keeps the session open (documented), and prints it.
	out.Reset()
	args = append(c.args(c.portalArgs()...), "--phone", "1002")
	if code := run(args, strings.NewReader(jeannePassword+"\n"), &out, &errb); code != exitOK ||
		!strings.Contains(out.String(), "Connecté : Jeanne Testeuse\n") {
		t.Fatalf("success: exit %d, stdout %q", code, out.String())
	}
	if open := c.openSessions(); len(open) != 1 || open[0].Phone != "1002" {
		t.Fatalf("open sessions after a successful login: %+v", open)
	}
}

// S2-9/S2-11/S3-13: a portal that does not answer: French sentence naming the address, JSON
// error object, no Go network text.
func TestLoginPortalUnreachable(t *testing.T) {
	isolateConfig(t, nil)
	var out, errb bytes.Buffer
	args := []string{"login", "otp", "--portal", "https://127.0.0.1:1", "--identifiant", "x.y", "--password-stdin", "--json"}
	if code := run(args, strings.NewReader("pw\n"), &out, &errb); code != exitError {
		t.Fatalf("exit %d", code)
	}
	want := "Le portail SI-SAMU ne répond pas. Vérifiez le réseau puis réessayez ; si cela persiste, contactez le support informatique. Adresse du portail : https://127.0.0.1:1."
	if !strings.Contains(errb.String(), want) || strings.Contains(errb.String(), "dial tcp") {
		t.Fatalf("stderr %q, want %q", errb.String(), want)
	}
	var got struct{ Error cliError }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Error.Code != codePortalUnreach || got.Error.Message != want {
		t.Fatalf("stdout %q: %v", out.String(), err)
	}
}

// runAsync runs the command with stdout piped line by line.
func runAsync(args []string, stdin string) (<-chan string, <-chan int, *syncBuf) {
	pr, pw := io.Pipe()
	lines, done := make(chan string, 32), make(chan int, 1)
	errb := &syncBuf{}
	go func() {
		code := run(args, strings.NewReader(stdin), pw, errb)
		pw.Close()
		done <- code
	}()
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines, done, errb
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within %v", what, d)
}

// cutProxy forwards TCP to the portal; cut drops the listener and every connection, as a
// portal restart does, and listen brings the same address back.
type cutProxy struct {
	t             *testing.T
	addr, backend string
	mu            sync.Mutex
	ln            net.Listener
	conns         []net.Conn
	accepted      int
}

func newCutProxy(t *testing.T, backend string) *cutProxy {
	p := &cutProxy{t: t, addr: "127.0.0.1:0", backend: backend}
	p.listen()
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) listen() {
	ln, err := net.Listen("tcp", p.addr)
	must(p.t, err)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", p.backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns, p.accepted = append(p.conns, c, b), p.accepted+1
			p.mu.Unlock()
			go func() { io.Copy(b, c); b.Close() }()
			go func() { io.Copy(c, b); c.Close() }()
		}
	}()
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// S2-4: --watch survives a portal restart (stream cut, address back), keeps printing the
// session's events, and exits 5 with a French message when the session is revoked.
func TestLoginWatchReconnects(t *testing.T) {
	c := newOTPCLI(t)
	watchBackoffMin = 100 * time.Millisecond
	t.Cleanup(func() { watchBackoffMin = 500 * time.Millisecond })
	px := newCutProxy(t, strings.TrimPrefix(c.pt.URL, "https://"))
	args := c.args("--portal", "https://"+px.addr, "--ca", c.ca, "--phone", "1003", "--json", "--watch")
	lines, done, errb := runAsync(args, jeannePassword+"\n")
	var first struct{ Session api.Session }
	select {
	case l := <-lines:
		must(t, json.Unmarshal([]byte(l), &first))
	case <-time.After(30 * time.Second):
		t.Fatalf("no session line; stderr %q", errb.String())
	}
	waitFor(t, "event stream open", 5*time.Second, func() bool { return px.count() >= 1 })
	before := px.count()
	time.Sleep(300 * time.Millisecond)
	px.cut()
	waitFor(t, "reconnection notice", 5*time.Second, func() bool { return strings.Contains(errb.String(), "reconnexion") })
	select {
	case code := <-done:
		t.Fatalf("--watch ended (exit %d) when the portal went away; stderr %q", code, errb.String())
	case <-time.After(500 * time.Millisecond):
	}
	px.listen()
	waitFor(t, "stream reopened", 10*time.Second, func() bool { return px.count() > before })
	time.Sleep(300 * time.Millisecond)
	if s, err := c.pt.Store.SessionByID(context.Background(), first.Session.ID); err != nil || !s.EndedAt.IsZero() {
		t.Fatalf("session after the reconnection: %+v %v", s, err)
	}
	must(t, c.pt.Store.EndSession(context.Background(), first.Session.ID, store.EndRevoked, store.AuditEntry{Event: "test"}))
	var sawRevoked bool
	for l := range lines {
		sawRevoked = sawRevoked || strings.Contains(l, `"type":"session_revoked"`)
	}
	if code := <-done; code != exitSessionEnded || !sawRevoked ||
		!strings.Contains(errb.String(), "La session a été révoquée par un administrateur") {
		t.Fatalf("after revocation: exit %d, revoked event %v, stderr %q", code, sawRevoked, errb.String())
	}
}

// S2-13: portal_url, portal_ca and workstation come from the workstation configuration when
// the flags are not given; a flag given wins.
func TestLoginUsesWorkstationConfig(t *testing.T) {
	c := newOTPCLI(t)
	isolateConfig(t, map[string]string{"portal_url": c.pt.URL, "portal_ca": c.ca, "workstation": "poste-conf"})
	var out, errb bytes.Buffer
	if code := run(c.args("--json"), strings.NewReader(jeannePassword+"\n"), &out, &errb); code != exitOK {
		t.Fatalf("from the configuration: exit %d, stderr %q", code, errb.String())
	}
	var got struct{ Session api.Session }
	must(t, json.Unmarshal(out.Bytes(), &got))
	if got.Session.Workstation != "poste-conf" {
		t.Fatalf("workstation %q, want the configuration's poste-conf", got.Session.Workstation)
	}
	out.Reset()
	if code := run(c.args("--json", "--workstation", "poste-flag"), strings.NewReader(jeannePassword+"\n"), &out, &errb); code != exitOK {
		t.Fatalf("flag override: exit %d, stderr %q", code, errb.String())
	}
	must(t, json.Unmarshal(out.Bytes(), &got))
	if got.Session.Workstation != "poste-flag" {
		t.Fatalf("workstation %q, want the flag's poste-flag", got.Session.Workstation)
	}
	// No portal anywhere: usage, exit 2.
	isolateConfig(t, nil)
	errb.Reset()
	if code := run([]string{"login", "card", "--pin-stdin"}, strings.NewReader(""), &out, &errb); code != exitUsage ||
		!strings.Contains(errb.String(), "portal_url") {
		t.Fatalf("no portal: exit %d, stderr %q", code, errb.String())
	}
	// --help: usage with the exit-code table, exit 0.
	errb.Reset()
	if code := run([]string{"login", "card", "--help"}, nil, &out, &errb); code != exitOK ||
		!strings.Contains(errb.String(), "Codes de sortie") || !strings.Contains(errb.String(), "session revoke") {
		t.Fatalf("--help: exit %d, stderr %q", code, errb.String())
	}
}
