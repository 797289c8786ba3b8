package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestPhoneImportExcel replays QA S2-14 through `cpx-portal admin phone import -` on SQLite:
// an Excel CSV (BOM, ";", CRLF) imports; an unknown entity names its line and imports
// nothing; a number another entity has is imported with a note.
func TestPhoneImportExcel(t *testing.T) {
	t.Setenv("CPX_PORTAL_DATA_DIR", t.TempDir())
	t.Setenv("CPX_PORTAL_CONFIG", "")
	var out, errb bytes.Buffer
	adm := func(stdin string, args ...string) (int, string) {
		adminStdin = strings.NewReader(stdin)
		defer func() { adminStdin = nil }()
		out.Reset()
		errb.Reset()
		code := run(append([]string{"admin"}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	for _, e := range [][]string{{"samu13", "SAMU 13"}, {"samu99", "SAMU 99"}} {
		if code, msg := adm("", "entity", "add", e[0], e[1]); code != 0 {
			t.Fatal(msg)
		}
	}
	if code, msg := adm("samu99,1001,Poste ARM 1,Salle\n", "phone", "import", "-"); code != 0 {
		t.Fatal(msg)
	}
	code, msg := adm("\ufeffentity;number;label;location\r\nsamu13;2009;Poste;Salle de régulation\r\n", "phone", "import", "-")
	if code != 0 || !strings.Contains(msg, "1 phone(s) imported") {
		t.Fatalf("Excel CSV: exit %d %s", code, msg)
	}
	code, msg = adm("samu13,2010\r\nnowhere,9\r\n", "phone", "import", "-")
	if code != 1 || !strings.Contains(msg, "line 2: phone 9: entity nowhere: not found") {
		t.Fatalf("unknown entity: exit %d %s", code, msg)
	}
	code, msg = adm("samu13,1001,Poste,Salle\n", "phone", "import", "-")
	if code != 0 || !strings.Contains(msg, "note: line 1: number 1001 (entity samu13) also exists in samu99") {
		t.Fatalf("number in two entities: exit %d %s", code, msg)
	}
	_, msg = adm("", "phone", "list", "samu13")
	if !strings.Contains(msg, "2009") || !strings.Contains(msg, "Salle de régulation") || strings.Contains(msg, "2010") {
		t.Fatalf("samu13 phones: %s", msg)
	}
}
