package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// portalProc is a cpx-portal binary run as a subprocess on a loopback port.
type portalProc struct {
	bin, cfgPath, url string
	metricsURL        string
	roots             *x509.CertPool
	cmd               *exec.Cmd
	log               *os.File
}

// newPortalProc writes a configuration for dsn ("" = SQLite in dataDir) with the shared test
// PKI as client CA and a server certificate for 127.0.0.1.
func newPortalProc(t *testing.T, dsn string, extra map[string]any) *portalProc {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, err := p.IssueServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, blocks ...*pem.Block) string {
		var b []byte
		for _, blk := range blocks {
			b = append(b, pem.EncodeToMemory(blk)...)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	crl, err := p.CRL(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{
		"listen":         "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"data_dir":       filepath.Join(dir, "data"),
		"tls_cert":       write("server.pem", &pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[1]}),
		"tls_key":        write("server-key.pem", &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"client_ca":      write("ca.pem", &pem.Block{Type: "CERTIFICATE", Bytes: p.Issuer.Cert.Raw}, &pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw}),
		"client_crl":     write("crl.pem", &pem.Block{Type: "X509 CRL", Bytes: crl}),
		"log_level":      "warn",
		"metrics_listen": "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"database_dsn":   dsn,
	}
	for k, v := range extra {
		cfg[k] = v
	}
	b, _ := json.Marshal(cfg)
	pp := &portalProc{bin: binary(t, "cpx-portal"), cfgPath: write("portal.json"), roots: p.Pool()}
	if err := os.WriteFile(pp.cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	pp.url = "https://" + cfg["listen"].(string)
	pp.metricsURL = "http://" + cfg["metrics_listen"].(string) + "/metrics"
	pp.log, err = os.Create(filepath.Join(dir, "portal.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pp.kill()
		pp.log.Close()
	})
	// `cpx-portal admin` refuses a database that `migrate` or `serve` has not made.
	if out, err := exec.Command(pp.bin, "migrate", "--config", pp.cfgPath).CombinedOutput(); err != nil {
		t.Fatalf("cpx-portal migrate: %v\n%s", err, out)
	}
	return pp
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs `cpx-portal serve` and waits until /readyz answers.
func (pp *portalProc) start(t *testing.T) {
	t.Helper()
	pp.cmd = exec.Command(pp.bin, "serve", "--config", pp.cfgPath)
	pp.cmd.Stdout, pp.cmd.Stderr = pp.log, pp.log
	if err := pp.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pp.roots}}}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(pp.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(pp.log.Name())
	t.Fatalf("cpx-portal not ready in 30 s; log:\n%s", b)
}

// kill sends SIGKILL and reaps the process.
func (pp *portalProc) kill() {
	if pp.cmd != nil && pp.cmd.Process != nil && pp.cmd.ProcessState == nil {
		pp.cmd.Process.Kill()
		pp.cmd.Wait()
	}
}

// admin runs `cpx-portal admin` with the same configuration.
func (pp *portalProc) admin(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, pp.bin, append([]string{"admin", "--config", pp.cfgPath}, args...)...)
}

func (pp *portalProc) dataDir(t *testing.T) string {
	return filepath.Join(filepath.Dir(pp.cfgPath), "data")
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(content)
	return f.Name()
}
