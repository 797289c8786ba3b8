package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminRefusesGarbage replays QA S2-8 through `cpx-portal admin` on a real SQLite
// database: each bad enrolment exits 1 naming the field, nothing is added; a duplicate
// national id names the account that has it.
func TestAdminRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CPX_PORTAL_DATA_DIR", dir)
	t.Setenv("CPX_PORTAL_CONFIG", "")
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	adm := func(args ...string) (int, string) {
		out.Reset()
		errb.Reset()
		code := run(append([]string{"admin"}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, msg := adm("entity", "add", "samu13", "SAMU 13"); code != 0 {
		t.Fatal(msg)
	}
	user := []string{"user", "add", "--identifiant", "paul.dupont", "--given", "Paul", "--family", "Dupont"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"entity", "add", "", ""}, "entity id"},
		{[]string{"entity", "add", "bad id!", "X"}, "entity id"},
		{[]string{"entity", "add", "samu14", " "}, "entity name"},
		{[]string{"user", "add", "--national-id", "abc", "--identifiant", "q.q", "--given", "Q", "--family", "Q"}, "national id"},
		{[]string{"user", "add", "--national-id", "810009999999", "--identifiant", "Paul Dupont", "--given", "P", "--family", "D"}, "identifiant"},
		{append(user, "--email", "notanemail"), "e-mail"},
		{append(user, "--mobile", "12"), "mobile"},
		{append(user, "--entity", "samu13", "--profile", ""), "--entity and --profile"},
	} {
		if code, msg := adm(tc.args...); code != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%q: exit %d %s; want 1 naming %q", tc.args, code, msg, tc.want)
		}
	}
	code, msg := adm("user", "list")
	if code != 0 || strings.Count(msg, "\n") != 1 {
		t.Fatalf("refused enrolments left accounts: %s", msg)
	}
	if code, msg := adm(append(user, "--national-id", "810009999999", "--email", "Paul.Dupont@CHU.fr", "--mobile", "06 12 34 56 78")...); code != 0 {
		t.Fatal(msg)
	}
	if _, msg := adm("user", "list"); !strings.Contains(msg, "paul.dupont@chu.fr") || !strings.Contains(msg, "+33612345678") {
		t.Fatalf("e-mail or mobile not normalised: %s", msg)
	}
	code, msg = adm("user", "add", "--national-id", "810009999999", "--identifiant", "paul.dupont2", "--given", "Paul", "--family", "Dupont")
	if code != 1 || !strings.Contains(msg, "national id 810009999999 already belongs to paul.dupont") {
		t.Fatalf("duplicate national id: %d %s", code, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "portal.db")); err != nil {
		t.Fatal(err)
	}
}
