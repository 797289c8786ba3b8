package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"--help"}, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"run ", "pki ", "atrs ", "examples:", "cpx-vcard run --holder cpe", "PIN 1234, PUK 12345678"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("--help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "--port", "0"}, 2, "bad --port"},
		{[]string{"run", "--atr", "zz", "--state", dir}, 2, "neither a name of the ATR table nor hex"},
		{[]string{"run", "extra"}, 2, "unexpected argument"},
		{[]string{"run", "--holder", "nobody", "--state", dir + "/s", "--pki", dir + "/p"}, 1, `unknown --holder "nobody"`},
	} {
		var stderr bytes.Buffer
		code := run(c.args, strings.NewReader(""), io.Discard, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
}

func TestListATRs(t *testing.T) {
	var out bytes.Buffer
	run([]string{"atrs"}, strings.NewReader(""), &out, io.Discard)
	if !strings.Contains(out.String(), "cps4 ") || !strings.Contains(out.String(), "3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44") {
		t.Fatalf("atrs output:\n%s", out.String())
	}
}
