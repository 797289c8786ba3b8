package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// TestPSCDevWiring: the binaries as `make run` starts them. `cpx-portal serve --dev` is given
// only CPX_PORTAL_PSC_ISSUER; `cpx-pscsim serve` reads the portal's test PKI (data_dir/pki),
// so each trusts the other's certificate and the portal authenticates with tls_client_auth as
// the simulator's dev client. `cpx-agent login psc` prints the binding code, `cpx-pscsim
// approve --code` answers the push, the agent gets its session with the phone linked.
func TestPSCDevWiring(t *testing.T) {
	dir := t.TempDir()
	data, listen, simAddr := filepath.Join(dir, "portal"), "127.0.0.1:"+strconv.Itoa(freePort(t)), "127.0.0.1:"+strconv.Itoa(freePort(t))
	issuer := "https://" + simAddr + "/auth/realms/esante-wallet"
	portal := background(t, dir, "portal", exec.Command(binary(t, "cpx-portal"), "serve", "--dev"),
		"CPX_PORTAL_DATA_DIR="+data, "CPX_PORTAL_LISTEN="+listen, "CPX_PORTAL_LOG_LEVEL=warn", "CPX_PORTAL_PSC_ISSUER="+issuer)
	root := filepath.Join(data, "pki", pki.RootFile)
	waitReady(t, "https://"+listen+"/readyz", root, portal)
	sim := background(t, dir, "pscsim", exec.Command(binary(t, "cpx-pscsim"), "serve", "--listen", simAddr,
		"--pki", filepath.Join(data, "pki"), "--interval", "1s",
		"--redirect-uri", "https://"+listen+"/v1/signin/psc/browser/callback"))
	waitReady(t, issuer+"/.well-known/wallet-openid-configuration", root, sim)

	agent := exec.Command(binary(t, "cpx-agent"), "login", "psc", "--portal", "https://"+listen, "--ca", root,
		"--national-id", "899700000005", "--workstation", "poste-e2e", "--phone", "1001", "--json")
	var out, errb lockedBuffer // read while the process writes
	agent.Stdout, agent.Stderr = &out, &errb
	agent.Env = append(os.Environ(), "HOME="+dir)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- agent.Wait() }()
	var code string
	deadline := time.Now().Add(20 * time.Second)
	for code == "" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		var first struct {
			PSC struct {
				BindingCode string `json:"binding_code"`
			}
		}
		if line, _, ok := strings.Cut(out.String(), "\n"); ok && json.Unmarshal([]byte(line), &first) == nil {
			code = first.PSC.BindingCode
		}
	}
	if code == "" {
		t.Fatalf("no binding code from cpx-agent: %s %s\nportal: %s", out.String(), errb.String(), logOf(portal))
	}
	approve := exec.Command(binary(t, "cpx-pscsim"), "approve", "--server", "https://"+simAddr, "--ca", root, "--code", code)
	if b, err := approve.CombinedOutput(); err != nil {
		t.Fatalf("cpx-pscsim approve --code %s: %v\n%s", code, err, b)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("cpx-agent login psc: %v\n%s\n%s\nportal: %s", err, out.String(), errb.String(), logOf(portal))
		}
	case <-time.After(20 * time.Second):
		agent.Process.Kill()
		t.Fatalf("cpx-agent still waiting after the approval: %s", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got struct{ Session api.Session }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatal(err)
	}
	if s := got.Session; s.Method != api.MethodPSC || s.Phone != "1001" || s.ACR != "eidas1" || s.User.NationalID != "899700000005" {
		t.Fatalf("session %+v", s)
	}
	if !strings.Contains(errb.String(), "Vérifiez que le code "+code+" s'affiche sur votre téléphone") {
		t.Fatalf("stderr %q", errb.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// background starts cmd with env added, its output in dir/name.log, killed after the test.
func background(t *testing.T, dir, name string, cmd *exec.Cmd, env ...string) string {
	t.Helper()
	log := filepath.Join(dir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	return log
}

// waitReady polls url (trusting the PEM root at rootFile once it exists) until a 200.
func waitReady(t *testing.T, url, rootFile, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		pem, err := os.ReadFile(rootFile)
		if err != nil {
			continue
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		if resp, err := hc.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("%s not ready in 30 s; log:\n%s", url, logOf(log))
}

func logOf(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
