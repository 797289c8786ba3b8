// Package testrig holds the test helpers every package uses to run against the real parts:
// pcscd with its vpcd readers, the OpenSC and SoftHSM2 PKCS#11 modules, PostgreSQL, and a
// virtual CPx card (internal/vcard) inserted in a given vpcd reader. A missing part fails
// the test with what to do; nothing here ever skips.
//
// Start the rig with `.ci/rig.sh up` and run tests inside `.ci/rig.sh run go test …`.
package testrig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Default module paths on Debian 12 (overridden by CPX_OPENSC_MODULE / CPX_SOFTHSM_MODULE).
const (
	DefaultOpenSCModule  = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
	DefaultSoftHSMModule = "/usr/lib/softhsm/libsofthsm2.so"
)

// ReaderForPort returns the PC/SC name of the vpcd reader a card reaches on TCP port
// (docs/architecture.md has the port map). Debian's own vpcd device serves 35963 and 35964;
// the rig adds one device per odd port from 35965, whose second reader is on the next port.
func ReaderForPort(port int) string {
	switch {
	case port == 35963:
		return "Virtual PCD 00 00"
	case port == 35964:
		return "Virtual PCD 00 01"
	case port%2 == 1:
		return fmt.Sprintf("Virtual PCD %d 00 00", port)
	default:
		return fmt.Sprintf("Virtual PCD %d 00 01", port-1)
	}
}

// OpenSCModule returns the path of opensc-pkcs11.so, failing the test when it is missing.
func OpenSCModule(t testing.TB) string {
	t.Helper()
	return module(t, "CPX_OPENSC_MODULE", DefaultOpenSCModule, "opensc-pkcs11")
}

// SoftHSMModule returns the path of libsofthsm2.so, failing the test when it is missing.
func SoftHSMModule(t testing.TB) string {
	t.Helper()
	return module(t, "CPX_SOFTHSM_MODULE", DefaultSoftHSMModule, "softhsm2")
}

func module(t testing.TB, env, def, pkg string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = def
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("PKCS#11 module %s missing (%v): apt-get install %s, or run .ci/rig.sh up", path, err, pkg)
	}
	return path
}

// PGDSN returns the PostgreSQL DSN of the test database, failing when CPX_TEST_PG_DSN is unset.
func PGDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CPX_TEST_PG_DSN")
	if dsn == "" {
		t.Fatal("CPX_TEST_PG_DSN is not set: run the tests inside `.ci/rig.sh run` (after `.ci/rig.sh up`)")
	}
	return dsn
}

// How OpenSC's PKCS#11 module lets a PUK unblock the PIN (user_pin_unblock_style).
const (
	// UnblockUnloggedSetPIN: C_SetPIN(PUK, new PIN) in a session not logged in
	// (pkcs11-tool --unlock-pin --puk … --new-pin …). The default of OpenSCConf*.
	UnblockUnloggedSetPIN = "set_pin_in_unlogged_session"
	// UnblockSOInitPIN: C_Login(CKU_SO, PUK) then C_InitPIN(new PIN)
	// (pkcs11-tool --init-pin --login --login-type so --so-pin … --new-pin …).
	UnblockSOInitPIN = "init_pin_in_so_session"
)

// openSCConf is an OpenSC configuration for tests: no file cache (a card's certificate
// changes between tests), one slot per reader and up to 64 of them (the rig has 10 readers;
// OpenSC's default of 16 virtual slots with 4 per card hides all but the first 4 readers),
// and a PIN unblock style (OpenSC's default allows none).
const openSCConf = `app default {
	%s
	framework pkcs15 {
		use_file_caching = no;
	}
}
app opensc-pkcs11 {
	pkcs11 {
		max_virtual_slots = 64;
		slots_per_card = 1;
		user_pin_unblock_style = %s;
	}
}
`

// OpenSCConf writes the test OpenSC configuration to a temporary file and returns its path.
func OpenSCConf(t testing.TB) string {
	t.Helper()
	return writeOpenSCConf(t, "", UnblockUnloggedSetPIN)
}

func writeOpenSCConf(t testing.TB, extra, style string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opensc.conf")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(openSCConf, extra, style)), 0o644); err != nil {
		t.Fatalf("write opensc.conf: %v", err)
	}
	return path
}

// UseOpenSCConf points OPENSC_CONF at the test configuration for the rest of the test (and
// for the OpenSC module loaded in this process, if it is loaded afterwards).
func UseOpenSCConf(t *testing.T) string {
	t.Helper()
	path := OpenSCConf(t)
	t.Setenv("OPENSC_CONF", path)
	return path
}

var errTimeout = errors.New("timed out")
