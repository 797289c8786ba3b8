package procmem

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestWaitGoMem: the line written while WaitGoMem polls is found and parsed; without one,
// WaitGoMem gives up at its limit with ErrFormat.
func TestWaitGoMem(t *testing.T) {
	var out Output
	fmt.Fprintln(&out, "starting")
	go func() {
		time.Sleep(30 * time.Millisecond)
		WriteGoMem(&out)
	}()
	g, err := WaitGoMem(&out, 5*time.Second)
	if err != nil || g.Total <= 0 || g.HeapAddr == 0 {
		t.Fatalf("WaitGoMem: %+v, %v", g, err)
	}
	t0 := time.Now()
	if _, err := WaitGoMem(&Output{}, 50*time.Millisecond); !errors.Is(err, ErrFormat) || time.Since(t0) < 50*time.Millisecond {
		t.Fatalf("no line: %v after %v", err, time.Since(t0))
	}
}
