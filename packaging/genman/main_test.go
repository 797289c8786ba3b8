package main

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`--json`:     `\-\-json`,
		`.hidden`:    `\&.hidden`,
		`'quoted`:    `\&'quoted`,
		`a\b`:        `a\eb`,
		`plain text`: `plain text`,
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}

// Go's flag usage becomes tagged paragraphs; the flag package's error line is dropped.
func TestTextFromFlagUsage(t *testing.T) {
	help := "Usage of doctor:\n  -json\n    \tprint the report as JSON\n  -reader string\n    \tcheck only this reader\ncpx-agent doctor: flag: help requested\n"
	got := text(help)
	for _, want := range []string{".TP\n\\fB\\-json\\fR\n", "print the report as JSON\n", ".TP\n\\fB\\-reader\\fR string\n", "Usage of doctor:\n.br\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("text() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "help requested") {
		t.Errorf("the flag error line is in the page:\n%s", got)
	}
}
