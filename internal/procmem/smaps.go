package procmem

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Breakdown is a process's resident memory (Rss of /proc/PID/smaps) by kind of mapping, in kB.
type Breakdown struct {
	GL     int64 // GL driver: libLLVM*, *_dri.so, libgallium* (Mesa; llvmpipe under Xvfb)
	Exe    int64 // the executable's own file mappings
	Heap   int64 // [heap]: the C allocator's brk area
	GoHeap int64 // Go's heap arenas (goroutine stacks included): set by WithGoHeap
	Anon   int64 // other anonymous mappings and [stack]: Go runtime metadata, mmap'd C memory
	Files  int64 // every other file mapping (libc, X11, fonts…) and [vdso]/[vvar]
	Top    []Mapping
	anons  []span // anonymous mappings, in address order
}

// span is one anonymous mapping.
type span struct {
	lo, hi uint64
	rss    int64
}

// Total is the sum of the kinds (VmRSS, give or take what changed between the two reads).
func (b Breakdown) Total() int64 { return b.GL + b.Exe + b.Heap + b.GoHeap + b.Anon + b.Files }

// Mapping is the resident memory of one file (all its mappings) or pseudo-path.
type Mapping struct {
	Name string // base name of the file, "[heap]", "[anon]" …
	Rss  int64
}

// IsGLDriver says whether a mapped file is part of the GL driver.
func IsGLDriver(file string) bool {
	b := path.Base(file)
	return strings.HasPrefix(b, "libLLVM") || strings.HasSuffix(b, "_dri.so") || strings.HasPrefix(b, "libgallium")
}

// ReadBreakdown reads /proc/PID/smaps; the executable is /proc/PID/exe.
func ReadBreakdown(pid int) (Breakdown, error) {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return Breakdown{}, fmt.Errorf("procmem: exe: %w", err)
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return Breakdown{}, fmt.Errorf("procmem: smaps: %w", err)
	}
	defer f.Close()
	return ParseSmaps(f, exe)
}

// ParseSmaps sums the Rss of each mapping of the text of /proc/PID/smaps by kind; exe is the
// executable's path (a " (deleted)" suffix is ignored on both sides). Top lists the ten
// largest files or pseudo-paths.
func ParseSmaps(r io.Reader, exe string) (Breakdown, error) {
	exe = strings.TrimSuffix(exe, " (deleted)")
	var b Breakdown
	per := map[string]int64{}
	name, headers, lo, hi := "", 0, uint64(0), uint64(0)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if a, z, ok := addrRange(f); ok {
			name, headers, lo, hi = strings.TrimSuffix(strings.Join(f[5:], " "), " (deleted)"), headers+1, a, z
			continue
		}
		if len(f) < 2 || f[0] != "Rss:" {
			continue
		}
		if headers == 0 {
			return Breakdown{}, fmt.Errorf("%w: Rss before any mapping", ErrFormat)
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return Breakdown{}, fmt.Errorf("%w: %q", ErrFormat, sc.Text())
		}
		key := b.add(name, exe, kb)
		if key == "[anon]" {
			b.anons = append(b.anons, span{lo, hi, kb})
		}
		per[key] += kb
	}
	if err := sc.Err(); err != nil {
		return Breakdown{}, fmt.Errorf("procmem: read smaps: %w", err)
	}
	if headers == 0 {
		return Breakdown{}, fmt.Errorf("%w: no mapping in smaps", ErrFormat)
	}
	for k, v := range per {
		b.Top = append(b.Top, Mapping{k, v})
	}
	sort.Slice(b.Top, func(i, j int) bool {
		if b.Top[i].Rss != b.Top[j].Rss {
			return b.Top[i].Rss > b.Top[j].Rss
		}
		return b.Top[i].Name < b.Top[j].Name
	})
	if len(b.Top) > 10 {
		b.Top = b.Top[:10]
	}
	return b, nil
}

// add counts kb of the mapping called name under its kind and returns its Top key.
func (b *Breakdown) add(name, exe string, kb int64) string {
	switch {
	case name == "" || strings.HasPrefix(name, "[anon") || strings.HasPrefix(name, "[stack"):
		b.Anon += kb
		return "[anon]"
	case name == "[heap]":
		b.Heap += kb
		return name
	case name == exe:
		b.Exe += kb
	case strings.HasPrefix(name, "/") && IsGLDriver(name):
		b.GL += kb
	default:
		b.Files += kb
	}
	if strings.HasPrefix(name, "/") {
		return path.Base(name)
	}
	return name
}

// addrRange parses a mapping's header line
// ("55d0c0a00000-55d0c2000000 r-xp 00000000 08:01 1234 /path").
func addrRange(f []string) (lo, hi uint64, ok bool) {
	if len(f) < 5 {
		return 0, 0, false
	}
	a, z, ok := strings.Cut(f[0], "-")
	if !ok {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(z, 16, 64)
	return lo, hi, err1 == nil && err2 == nil && lo < hi
}

// WithGoHeap moves from Anon to GoHeap the anonymous mapping that holds addr (an address in
// the Go heap, GoMem.HeapAddr: Go 1.26 places its arenas at a random address) and the
// anonymous mappings contiguous with it (the rest of the arena reservation).
func (b Breakdown) WithGoHeap(addr uint64) Breakdown {
	k := -1
	for i, a := range b.anons {
		if a.lo <= addr && addr < a.hi {
			k = i
		}
	}
	if k < 0 {
		return b
	}
	lo, hi := k, k
	for lo > 0 && b.anons[lo-1].hi == b.anons[lo].lo {
		lo--
	}
	for hi+1 < len(b.anons) && b.anons[hi].hi == b.anons[hi+1].lo {
		hi++
	}
	b.GoHeap = 0
	for _, a := range b.anons[lo : hi+1] {
		b.GoHeap += a.rss
	}
	b.Anon -= b.GoHeap
	return b
}
