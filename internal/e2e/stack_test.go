//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/testrig"

	"github.com/cpx-agent/cpx-agent/internal/procmem"
)

// Port is the vpcd port of this package's card (the spare reader of the port map).
const Port = 35972

// PIN is the demo card's PIN (vcard.DefaultPIN).
const PIN = "1234"

var bins struct {
	once sync.Once
	dir  string
	err  error
}

// binaries builds cpx-agent and cpx-portal once per test process and returns their directory.
func binaries(t testing.TB) string {
	t.Helper()
	bins.once.Do(func() {
		bins.dir, bins.err = os.MkdirTemp("", "cpx-e2e-bin-")
		if bins.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", bins.dir+"/",
			"github.com/cpx-agent/cpx-agent/cmd/cpx-agent", "github.com/cpx-agent/cpx-agent/cmd/cpx-portal")
		if out, err := cmd.CombinedOutput(); err != nil {
			bins.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if bins.err != nil {
		t.Fatalf("build the binaries: %v", bins.err)
	}
	return bins.dir
}

// agentBin is the cpx-agent under test: the one built from this tree, or CPX_E2E_AGENT_BIN
// (e.g. a build with a proposed change, to try it before it lands).
func agentBin(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("CPX_E2E_AGENT_BIN"); b != "" {
		return b
	}
	return filepath.Join(binaries(t), "cpx-agent")
}

// Portal is a cpx-portal serve --dev process with its own data directory.
type Portal struct {
	bin, Data, URL string
	CA             string // the dev PKI's root: it issues the server certificate
	Log            *procmem.Output
}

// startPortal runs `cpx-portal serve --dev` on a free loopback port and waits for /readyz.
func startPortal(t testing.TB) *Portal {
	t.Helper()
	dir := binaries(t)
	p := &Portal{bin: filepath.Join(dir, "cpx-portal"), Data: t.TempDir(), Log: &procmem.Output{}}
	addr := freeAddr(t)
	p.URL, p.CA = "https://"+addr, filepath.Join(p.Data, "pki", pki.RootFile)
	cmd := exec.Command(p.bin, "serve", "--dev")
	cmd.Env = append(os.Environ(), "CPX_PORTAL_DATA_DIR="+p.Data, "CPX_PORTAL_LISTEN="+addr)
	cmd.Stdout, cmd.Stderr = p.Log, p.Log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cpx-portal: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := p.ready(); err == nil {
			return p
		} else if time.Now().After(deadline) {
			t.Fatalf("cpx-portal not ready at %s: %v\n%s", p.URL, err, p.Log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *Portal) ready() error {
	pem, err := os.ReadFile(p.CA)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(p.URL + "/readyz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	return nil
}

// Admin runs `cpx-portal admin --dev ARGS…` on the portal's data directory.
func (p *Portal) Admin(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(p.bin, append([]string{"admin", "--dev"}, args...)...)
	cmd.Env = append(os.Environ(), "CPX_PORTAL_DATA_DIR="+p.Data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cpx-portal admin %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// RevokeAll ends every session of workstation (`admin session list`, then `session revoke`).
func (p *Portal) RevokeAll(t testing.TB, workstation string) {
	t.Helper()
	for _, l := range strings.Split(p.Admin(t, "session", "list"), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && f[0] != "ID" && slices.Contains(f, workstation) {
			p.Admin(t, "session", "revoke", f[0])
		}
	}
}

// startCard puts the portal's own demo holder on a virtual card on Port, removed.
func startCard(t testing.TB, p *Portal, holder string) *testrig.Card {
	t.Helper()
	demo, err := pki.LoadDemo(filepath.Join(p.Data, "pki"))
	if err != nil {
		t.Fatalf("the portal's dev PKI: %v", err)
	}
	return testrig.StartCard(t, Port, holder, testrig.WithIssued(demo.Holders[holder]), testrig.Removed())
}

// agentEnv is the environment of cpx-agent on this stack: the portal, its CA, a private home,
// OpenSC limited to the card's reader.
func agentEnv(t testing.TB, p *Portal, c *testrig.Card) []string {
	t.Helper()
	module := os.Getenv("CPX_OPENSC_MODULE")
	if module == "" {
		module = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
	}
	if _, err := os.Stat(module); err != nil {
		t.Fatalf("OpenSC PKCS#11 module missing (apt-get install opensc-pkcs11): %v", err)
	}
	home := t.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CPX_AGENT_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+home+"/.config", "XDG_STATE_HOME="+home+"/.state",
		"XDG_DATA_HOME="+home+"/.data", "XDG_CACHE_HOME="+home+"/.cache",
		"OPENSC_CONF="+testrig.OpenSCConfOnly(t, c.Reader),
		"CPX_AGENT_PORTAL_URL="+p.URL, "CPX_AGENT_PORTAL_CA="+p.CA, "CPX_AGENT_WORKSTATION=poste-e2e",
		"CPX_AGENT_PKCS11_MODULE="+module, "CPX_AGENT_REMOVAL_POLICY=lock",
		// The state trace on stderr (see stepTime); watch only this reader: other tests' cards
		// sit in the other readers.
		"CPX_AGENT_TRACE=-", "CPX_AGENT_READER="+c.Reader)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// stop ends a child we started: SIGTERM, then SIGKILL after 5 s.
func stop(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

var _ = context.Background
