package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestAuditTailReadable (QA S2-17): `admin audit tail` shows who by identifiant and national
// id (not the user id), the workstation, the client address without its port, a profile
// event as "label — entity", and the refusal code; --json carries the same plus the ids.
func TestAuditTailReadable(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CPX_PORTAL_DATA_DIR", dir)
	t.Setenv("CPX_PORTAL_CONFIG", "")
	ctx := context.Background()
	c, err := config.Load("", []string{"CPX_PORTAL_DATA_DIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.AddEntity(ctx, store.Entity{ID: "samu99", Name: "SAMU 99 TEST"}))
	u := store.User{NationalID: "810000000001", Identifiant: "alice.martin", GivenName: "Alice", FamilyName: "Martin", Habilitation: true}
	ps := []store.Profile{{EntityID: "samu99", Label: "ARM"}}
	must(st.AddUser(ctx, &u, ps))
	must(st.Audit(ctx, store.AuditEntry{Event: store.AuditSignIn, UserID: u.ID, Subject: u.NationalID, SessionID: "s1",
		Workstation: "poste-12", Remote: "10.1.2.3:50122", Detail: "card serial 01"}))
	must(st.Audit(ctx, store.AuditEntry{Event: store.AuditProfile, UserID: u.ID, SessionID: "s1", Detail: ps[0].ID}))
	must(st.Audit(ctx, store.AuditEntry{Event: store.AuditPasswordSignIn, Result: store.ResultRefused, Code: "credentials_invalid",
		Subject: "nobody.there", Workstation: "poste-7", Remote: "[::1]:4000", Detail: "unknown name"}))
	st.Close()

	var out, errb bytes.Buffer
	if code := run([]string{"admin", "audit", "tail", "-n", "10"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	got := out.String()
	for _, want := range []string{"TIME", "WHO", "WORKSTATION", "ACTION", "RESULT",
		"alice.martin (810000000001)", "poste-12", "10.1.2.3 ", "signin: card serial 01",
		"profile: ARM — SAMU 99 TEST", "nobody.there", "::1 ", "refused (credentials_invalid)"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit tail lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, u.ID) || strings.Contains(got, ps[0].ID) {
		t.Errorf("audit tail shows raw ids without --ids:\n%s", got)
	}
	out.Reset()
	if code := run([]string{"admin", "audit", "tail", "--ids"}, &out, &errb); code != 0 || !strings.Contains(out.String(), u.ID) {
		t.Fatalf("--ids: %s %s", out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"admin", "audit", "tail", "--json"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	var js []auditJSON
	if err := json.Unmarshal(out.Bytes(), &js); err != nil || len(js) != 3 {
		t.Fatalf("--json: %v %s", err, out.String())
	}
	if js[0].Who != "alice.martin (810000000001)" || js[0].UserID != u.ID || js[1].Action != "profile: ARM — SAMU 99 TEST" ||
		js[2].Code != "credentials_invalid" || js[2].Who != "nobody.there" {
		t.Fatalf("--json content: %+v", js)
	}
}
