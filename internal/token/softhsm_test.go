package token

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// SoftHSM2 fixture: one SOFTHSM2_CONF and token directory per test process (SoftHSM reads the
// variable at C_Initialize), one token per test, selected by label (slot ids are random).

const (
	shPIN = "1234"
	shSO  = "12345678" // the SO PIN plays the PUK
)

var shOnce struct {
	sync.Once
	dir string
	err error
}

func softhsmModule(t *testing.T) string {
	t.Helper()
	m := os.Getenv("CPX_SOFTHSM_MODULE")
	if m == "" {
		m = "/usr/lib/softhsm/libsofthsm2.so"
	}
	if _, err := os.Stat(m); err != nil {
		t.Fatalf("SoftHSM2 module %s missing (apt-get install softhsm2, or run through .ci/rig.sh): %v", m, err)
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s missing (apt-get install softhsm2 opensc): %v", tool, err)
		}
	}
	shOnce.Do(func() {
		shOnce.dir, shOnce.err = os.MkdirTemp("", "cpx-token-softhsm-")
		if shOnce.err != nil {
			return
		}
		tokens := filepath.Join(shOnce.dir, "tokens")
		conf := filepath.Join(shOnce.dir, "softhsm2.conf")
		shOnce.err = os.Mkdir(tokens, 0o700)
		if shOnce.err == nil {
			body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens)
			shOnce.err = os.WriteFile(conf, []byte(body), 0o600)
		}
		if shOnce.err == nil {
			shOnce.err = os.Setenv("SOFTHSM2_CONF", conf)
		}
	})
	if shOnce.err != nil {
		t.Fatalf("softhsm fixture: %v", shOnce.err)
	}
	return m
}

// shObject is a key pair or certificate to put on a SoftHSM token.
type shObject struct {
	id, keyLabel, certLabel string
	issued                  *pki.Issued
	cert                    *x509.Certificate // when no key goes with it
}

// newSoftHSMToken initialises a token labelled after the test and imports objs with
// pkcs11-tool. It returns the module path and the label.
func newSoftHSMToken(t *testing.T, objs ...shObject) (module, label string) {
	t.Helper()
	module = softhsmModule(t)
	label = fmt.Sprintf("t%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
	if len(label) > 32 {
		label = label[len(label)-32:]
	}
	run(t, "softhsm2-util", "--init-token", "--free", "--label", label, "--pin", shPIN, "--so-pin", shSO)
	dir := t.TempDir()
	for i, o := range objs {
		cert := o.cert
		if o.issued != nil {
			cert = o.issued.Cert
			der, err := x509.MarshalPKCS8PrivateKey(o.issued.Key)
			if err != nil {
				t.Fatal(err)
			}
			kf := filepath.Join(dir, fmt.Sprintf("k%d.der", i))
			writeFile(t, kf, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			run(t, "pkcs11-tool", "--module", module, "--token-label", label, "--login", "--pin", shPIN,
				"--write-object", kf, "--type", "privkey", "--id", o.id, "--label", o.keyLabel)
		}
		if cert != nil {
			cf := filepath.Join(dir, fmt.Sprintf("c%d.der", i))
			writeFile(t, cf, cert.Raw)
			run(t, "pkcs11-tool", "--module", module, "--token-label", label, "--login", "--pin", shPIN,
				"--write-object", cf, "--type", "cert", "--id", o.id, "--label", o.certLabel)
		}
	}
	return module, label
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// issue gives a holder certificate and key from the shared test PKI.
func issue(t *testing.T, holder string) *pki.Issued {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	h, ok := pki.DemoHolders()[holder]
	if !ok {
		t.Fatalf("no demo holder %q", holder)
	}
	is, err := p.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	return is
}
