// Package chrome starts Debian's headless Chromium for tests that drive a web page through
// github.com/chromedp/chromedp. It runs as root on a closed network, so the browser is started
// with --headless=new --no-sandbox, no background traffic (updates, sync, component
// downloads) and a fresh profile per test. A missing browser fails the test, never skips it.
package chrome

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds one test's whole browser session.
const Timeout = 60 * time.Second

// Path returns the Chromium executable (CPX_CHROMIUM, else chromium on PATH), failing the test
// when it is missing.
func Path(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CPX_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium missing (%v): apt-get install chromium, or run .ci/rig.sh install", err)
	}
	return p
}

// New returns a chromedp context bound to a fresh headless Chromium; the browser is closed and
// its profile removed when the test ends. extra adds allocator options (for example
// chromedp.IgnoreCertErrors for a loopback server whose test CA the browser does not trust).
func New(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
	)
	opts = append(opts, extra...)
	ctx, cancelTime := context.WithTimeout(context.Background(), Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTime()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}
