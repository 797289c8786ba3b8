package procmem

import (
	"errors"
	"strings"
	"testing"
)

// sampleSmaps is cut from a real cpx-agent under Xvfb (Go 1.26: the heap at a random address).
const sampleSmaps = `00400000-00b85000 r-xp 00000000 fe:00 10177428                           /opt/cpx/cpx-agent (deleted)
Size:               7684 kB
Rss:                7000 kB
Pss:                7000 kB
01336000-01acc000 rw-p 00f35000 fe:00 10177428                           /opt/cpx/cpx-agent (deleted)
Rss:                6000 kB
3017d000-3147e000 rw-p 00000000 00:00 0                                  [heap]
Rss:               14480 kB
31a804000000-31a806000000 ---p 00000000 00:00 0 
Rss:                   0 kB
31a806000000-31a807c00000 rw-p 00000000 00:00 0 
Rss:               21176 kB
31a807c00000-31a80a000000 ---p 00000000 00:00 0 
Rss:                   0 kB
7f8634e00000-7f863b57c000 r-xp 00000000 fe:00 325977                     /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
Rss:               46848 kB
7f8640500000-7f8640602000 rw-p 00000000 00:00 0 
VmFlags: rd wr mr mw me ac sd
Rss:                1028 kB
7f8642400000-7f8642490000 r--p 00000000 fe:00 15851521                   /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so
Rss:                 576 kB
7f8642490000-7f86434da000 r-xp 00090000 fe:00 15851521                   /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so
Rss:                5060 kB
7f86a2f29000-7f86a307f000 r-xp 00026000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1304 kB
7f86a4000000-7f86a4100000 rw-p 00000000 00:00 0                          [anon:glibc malloc arena]
Rss:                 100 kB
7ffd2a5dd000-7ffd2a5fe000 rw-p 00000000 00:00 0                          [stack]
Rss:                 132 kB
7ffd2a5fe000-7ffd2a602000 r--p 00000000 00:00 0                          [vvar]
Rss:                   0 kB
7ffd2a602000-7ffd2a604000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
`

func TestParseSmaps(t *testing.T) {
	b, err := ParseSmaps(strings.NewReader(sampleSmaps), "/opt/cpx/cpx-agent (deleted)")
	if err != nil {
		t.Fatal(err)
	}
	if b.GL != 46848+576+5060 || b.Exe != 13000 || b.Heap != 14480 || b.Files != 1304+8 ||
		b.Anon != 21176+1028+100+132 || b.GoHeap != 0 {
		t.Fatalf("breakdown %+v", b)
	}
	if b.Top[0] != (Mapping{"libLLVM-15.so.1", 46848}) || b.Top[1] != (Mapping{"[anon]", 22436}) {
		t.Fatalf("top %+v", b.Top)
	}
	g := b.WithGoHeap(0x31a806001234)
	if g.GoHeap != 21176 || g.Anon != 1028+100+132 || g.Total() != b.Total() {
		t.Fatalf("WithGoHeap: %+v", g)
	}
	if n := b.WithGoHeap(0x1000); n.GoHeap != 0 || n.Anon != b.Anon {
		t.Fatalf("address outside every mapping moved memory: %+v", n)
	}
}

func TestParseSmapsBad(t *testing.T) {
	for name, text := range map[string]string{
		"empty":          "",
		"rss first":      "Rss: 12 kB\n",
		"rss not number": "00400000-00b85000 r-xp 00000000 fe:00 1 /x\nRss: many kB\n",
	} {
		if _, err := ParseSmaps(strings.NewReader(text), "/x"); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func TestIsGLDriver(t *testing.T) {
	for f, want := range map[string]bool{
		"/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1":       true,
		"/usr/lib/x86_64-linux-gnu/dri/iris_dri.so":       true,
		"/usr/lib/x86_64-linux-gnu/libgallium-24.2.8.so":  true,
		"/usr/lib/x86_64-linux-gnu/libGLX_mesa.so.0.0.0":  false,
		"/usr/lib/x86_64-linux-gnu/libdrm.so.2":           false,
		"/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so.bak": false,
	} {
		if IsGLDriver(f) != want {
			t.Errorf("IsGLDriver(%s) = %v", f, !want)
		}
	}
}

func TestParseGoMem(t *testing.T) {
	text := "some log line\n" + GoMemPrefix + " heap-addr=0x31a806001234 /memory/classes/total:bytes=31299848" +
		" /memory/classes/heap/released:bytes=2465792 /memory/classes/heap/objects:bytes=19737624" +
		" /memory/classes/heap/free:bytes=32768 /memory/classes/heap/stacks:bytes=720896" +
		" /memory/classes/heap/unused:bytes=2208744 /memory/classes/os-stacks:bytes=0" +
		" /sched/goroutines:goroutines=24\nanother line\n"
	g, err := ParseGoMem(text)
	if err != nil {
		t.Fatal(err)
	}
	heap := int64(2465792+19737624+32768+720896+2208744) / 1024 // rounding: compare in kB
	want := GoMem{Total: 31299848 / 1024, Released: 2465792 / 1024, Objects: 19737624 / 1024, HeapFree: 32,
		Stacks: 720896 / 1024, Goroutines: 24, HeapAddr: 0x31a806001234}
	off := g.OffHeap
	g.OffHeap = 0
	if g != want {
		t.Fatalf("got %+v, want %+v", g, want)
	}
	if d := off - (31299848/1024 - heap); d < -1 || d > 1 {
		t.Fatalf("off-heap %d kB, want about %d", off, 31299848/1024-heap)
	}
	for _, bad := range []string{"no line", GoMemPrefix + " /memory/classes/heap/free:bytes=1",
		GoMemPrefix + " /memory/classes/total:bytes=x", GoMemPrefix + " heap-addr=0xzz /memory/classes/total:bytes=1"} {
		if _, err := ParseGoMem(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: err = %v, want ErrFormat", bad, err)
		}
	}
}
