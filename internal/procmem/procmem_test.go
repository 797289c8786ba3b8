package procmem

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const sampleStatus = `Name:	cpx-agent
Umask:	0022
State:	S (sleeping)
VmPeak:	 2284472 kB
VmHWM:	  146212 kB
VmRSS:	  143900 kB
RssAnon:	   55120 kB
RssFile:	   87652 kB
RssShmem:	    1128 kB
Threads:	18
voluntary_ctxt_switches:	1500
nonvoluntary_ctxt_switches:	42
`

func TestParseStatus(t *testing.T) {
	s, err := ParseStatus(strings.NewReader(sampleStatus))
	if err != nil {
		t.Fatal(err)
	}
	want := Status{VmRSS: 143900, VmHWM: 146212, RssAnon: 55120, RssFile: 87652, RssShmem: 1128}
	if s != want {
		t.Fatalf("got %+v, want %+v", s, want)
	}
}

func TestParseSwitches(t *testing.T) {
	n, err := ParseSwitches(strings.NewReader(sampleStatus))
	if err != nil || n != 1542 {
		t.Fatalf("switches = %d, %v; want 1500 + 42", n, err)
	}
	if _, err := ParseSwitches(strings.NewReader("voluntary_ctxt_switches:\t3\n")); !errors.Is(err, ErrFormat) {
		t.Fatalf("half the fields: err = %v, want ErrFormat", err)
	}
}

func TestParseStatusBad(t *testing.T) {
	for name, text := range map[string]string{
		"no VmRSS":  "Name:\tx\nRssAnon:\t12 kB\n",
		"not kB":    "VmRSS:\t12 MB\n",
		"not a num": "VmRSS:\tlots kB\n",
		"empty":     "",
	} {
		if _, err := ParseStatus(strings.NewReader(text)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

const sampleRollup = `55d0c0a00000-7ffd2a5fe000 ---p 00000000 00:00 0                          [rollup]
Rss:              143900 kB
Pss:              115812 kB
Pss_Anon:          55020 kB
Pss_File:          60100 kB
Pss_Shmem:           692 kB
Shared_Clean:      31000 kB
Shared_Dirty:       1200 kB
Private_Clean:     56000 kB
Private_Dirty:     55700 kB
`

func TestParseRollup(t *testing.T) {
	r, err := ParseRollup(strings.NewReader(sampleRollup))
	if err != nil {
		t.Fatal(err)
	}
	want := Rollup{Rss: 143900, Pss: 115812, PssAnon: 55020, PssFile: 60100, PrivateClean: 56000,
		PrivateDirty: 55700, SharedClean: 31000, SharedDirty: 1200}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	if _, err := ParseRollup(strings.NewReader("Rss: 1 kB\n")); !errors.Is(err, ErrFormat) {
		t.Fatalf("no Pss: err = %v, want ErrFormat", err)
	}
}

func TestParseStatTicks(t *testing.T) {
	// The command name holds a space and a ')': the fields are counted from the last ')'.
	stat := "4242 (cpx (agent)) S 1 4242 4242 0 -1 4194560 9000 0 0 0 120 35 0 0 20 0 18 0 1234 2284472000 35975"
	n, err := ParseStatTicks(stat)
	if err != nil {
		t.Fatal(err)
	}
	if n != 155 {
		t.Fatalf("ticks = %d, want 120 + 35", n)
	}
	for _, bad := range []string{"", "4242 (x) S 1 2", "4242 (x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 u s"} {
		if _, err := ParseStatTicks(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: err = %v, want ErrFormat", bad, err)
		}
	}
}

// TestReadSelf reads this test process: the figures must be there and add up.
func TestReadSelf(t *testing.T) {
	s, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.Status.VmRSS <= 0 || s.Rollup.Pss <= 0 || s.Rollup.Pss > s.Rollup.Rss {
		t.Fatalf("implausible: %+v", s)
	}
	if s.Maps.Exe <= 0 || s.Maps.Anon <= 0 {
		t.Fatalf("no executable or anonymous memory: %+v", s.Maps)
	}
	var buf bytes.Buffer
	WriteGoMem(&buf)
	g, err := ParseGoMem(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	m := s.Maps.WithGoHeap(g.HeapAddr)
	if m.GoHeap <= 0 || m.GoHeap+m.Anon != s.Maps.Anon {
		t.Fatalf("Go heap not found at %#x: %+v", g.HeapAddr, m)
	}
	// A goroutine that sleeps 1 ms in a loop wakes a thread about 1000 times a second.
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	idle, err := MeasureIdle(os.Getpid(), 200*time.Millisecond)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if idle.Wakeups < 100 || idle.CPU < 0 {
		t.Fatalf("a 1 ms ticker measured as %+v", idle)
	}
}
