package procmem

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestReportGoMemFromEnv: without CPX_GOMEM_AFTER nothing is printed; with it, one parsable line.
func TestReportGoMemFromEnv(t *testing.T) {
	t.Setenv(GoMemEnv, "")
	var off strings.Builder
	ReportGoMemFromEnv(&off)
	time.Sleep(50 * time.Millisecond)
	if off.Len() != 0 {
		t.Fatalf("report without %s: %q", GoMemEnv, off.String())
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	t.Setenv(GoMemEnv, "1ms")
	ReportGoMemFromEnv(w)
	buf := make([]byte, 8192)
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := r.Read(buf)
	w.Close()
	if err != nil {
		t.Fatalf("no report with %s=1ms: %v", GoMemEnv, err)
	}
	g, err := ParseGoMem(string(buf[:n]))
	if err != nil || g.Total <= 0 {
		t.Fatalf("report %q: %+v %v", buf[:n], g, err)
	}
}
