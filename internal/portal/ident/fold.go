package ident

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// spelled lists letters that NFD does not decompose into ASCII + marks.
var spelled = map[rune]string{
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ĳ': "ij", 'Ĳ': "ij",
}

// Fold returns s in lower case with accents removed and ligatures spelled out. Characters
// other than letters are kept as they are (lower-cased when they have a case).
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		// transform on a string only fails on invalid transformer state; keep the input.
		out = s
	}
	var b strings.Builder
	for _, r := range out {
		if sp, ok := spelled[r]; ok {
			b.WriteString(sp)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// namePart turns one personal name into the ASCII part of an identifiant.
func namePart(name string) string {
	var b strings.Builder
	pendingHyphen := false
	for _, r := range Fold(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if pendingHyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			pendingHyphen = false
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r) || r == '_' || r == '.':
			pendingHyphen = true
		default:
			// apostrophes (' ’ ʼ) and anything else are dropped without a separator
		}
	}
	return b.String()
}
