//go:build unix

package testrig

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// LockPort takes an exclusive lock on a vpcd port for the rest of the test, waiting while
// another test process (another package's test binary) holds it: one card per reader. It is
// released by t.Cleanup. StartCard calls it.
func LockPort(t testing.TB, port int) {
	t.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("cpx-vpcd-%d.lock", port))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("lock vpcd port %d: %v", port, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("lock vpcd port %d: %v", port, err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
