package testrig

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// PCSCSocket is pcscd's socket on Debian.
const PCSCSocket = "/run/pcscd/pcscd.comm"

// RequirePCSCD fails the test when pcscd is not running.
func RequirePCSCD(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(PCSCSocket); err != nil {
		t.Fatalf("pcscd not running: run .ci/rig.sh up (%s: %v)", PCSCSocket, err)
	}
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatalf("pcscd not running: run .ci/rig.sh up (SCardEstablishContext: %v)", err)
	}
	ctx.Release()
}

// WaitReader waits until pcscd reports reader with a card (present) or empty (!present).
func WaitReader(t testing.TB, reader string, present bool, timeout time.Duration) {
	t.Helper()
	if err := waitReader(reader, present, timeout); err != nil {
		want := "a card"
		if !present {
			want = "no card"
		}
		t.Fatalf("reader %q: waiting for %s: %v", reader, want, err)
	}
}

func waitReader(reader string, present bool, timeout time.Duration) error {
	ctx, err := scard.EstablishContext()
	if err != nil {
		return fmt.Errorf("pcscd not running (run .ci/rig.sh up): %w", err)
	}
	defer ctx.Release()
	deadline := time.Now().Add(timeout)
	rs := []scard.ReaderState{{Reader: reader, CurrentState: scard.StateUnaware}}
	for {
		err := ctx.GetStatusChange(rs, 250*time.Millisecond)
		switch {
		case err == nil:
			if rs[0].EventState&scard.StateUnknown != 0 {
				return fmt.Errorf("pcscd has no such reader (is the rig's reader.conf installed? run .ci/rig.sh up)")
			}
			if (rs[0].EventState&scard.StatePresent != 0) == present {
				return nil
			}
			rs[0].CurrentState = rs[0].EventState &^ scard.StateChanged
		case errors.Is(err, scard.ErrTimeout):
		case errors.Is(err, scard.ErrUnknownReader):
			return fmt.Errorf("pcscd has no such reader (run .ci/rig.sh up): %w", err)
		default:
			return err
		}
		if time.Now().After(deadline) {
			return errTimeout
		}
	}
}

// OpenSCConfOnly writes the test OpenSC configuration with every pcscd reader but reader in
// ignored_readers, so OpenSC (pkcs11-tool, opensc-tool, the module) sees only that reader and
// never touches the cards of tests running in parallel on other readers. It returns the path.
// The PIN unblock style is UnblockUnloggedSetPIN.
func OpenSCConfOnly(t testing.TB, reader string) string {
	t.Helper()
	return OpenSCConfOnlyStyle(t, reader, UnblockUnloggedSetPIN)
}

// OpenSCConfOnlyStyle is OpenSCConfOnly with another PIN unblock style.
func OpenSCConfOnlyStyle(t testing.TB, reader, unblockStyle string) string {
	t.Helper()
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatalf("pcscd not running: run .ci/rig.sh up (SCardEstablishContext: %v)", err)
	}
	defer ctx.Release()
	readers, err := ctx.ListReaders()
	if err != nil {
		t.Fatalf("list readers: %v", err)
	}
	var others []string
	found := false
	for _, r := range readers {
		if r == reader {
			found = true
			continue
		}
		if strings.ContainsAny(r, `",`) {
			t.Fatalf("reader name %q cannot be written in opensc.conf", r)
		}
		others = append(others, strconv.Quote(r))
	}
	if !found {
		t.Fatalf("pcscd has no reader %q (readers: %q): run .ci/rig.sh up", reader, readers)
	}
	extra := ""
	if len(others) > 0 {
		extra = "ignored_readers = " + strings.Join(others, ", ") + ";"
	}
	return writeOpenSCConf(t, extra, unblockStyle)
}
