package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
)

// common.txt.gz: Openwall's password.lst (public domain, from Debian's john-data package)
// plus a short French supplement; see the header of the file for the exact provenance.
//
//go:embed common.txt.gz
var commonGz []byte

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

func loadCommon() {
	commonSet = make(map[string]struct{}, 4096)
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded common list is corrupt: " + err.Error()) // build-time data
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			commonSet[line] = struct{}{}
		}
	}
	if sc.Err() != nil || len(commonSet) < 1000 {
		panic("password: embedded common list is truncated")
	}
}

// CommonCount returns the number of entries of the embedded common-password list.
func CommonCount() int {
	commonOnce.Do(loadCommon)
	return len(commonSet)
}

// deleetI and deleetL undo the usual letter substitutions: "p@ssw0rd" → "password" (a "1"
// stands for an "i" or an "l").
var (
	deleetI = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t")
	deleetL = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "l", "!", "l", "3", "e", "$", "s", "5", "s", "7", "t")
)

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// IsCommon reports whether pw is a common password: the list holds it once lower-cased and
// accent-folded, or holds its core of 4 characters or more — pw without leading and trailing
// digits and symbols, with l33t substitutions undone ("P@ssw0rd2024!", "@dmin1").
func IsCommon(pw []byte) bool {
	commonOnce.Do(loadCommon)
	s := ident.Fold(string(pw))
	if _, ok := commonSet[s]; ok {
		return true
	}
	core := strings.TrimFunc(s, notLetter)
	tail := strings.TrimRightFunc(s, notLetter)
	cands := []string{core}
	for _, r := range []*strings.Replacer{deleetI, deleetL} {
		cands = append(cands, r.Replace(core), strings.TrimFunc(r.Replace(tail), notLetter))
	}
	for _, c := range cands {
		if len(c) < 4 {
			continue
		}
		if _, ok := commonSet[c]; ok {
			return true
		}
	}
	return false
}
