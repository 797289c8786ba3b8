package pscsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadUsersFile(t *testing.T) {
	users, err := LoadUsers("testdata/users.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 3 || users[0].NationalID() != "500000001815646/CPAT00045" {
		t.Fatalf("users %+v", users)
	}
	set := newUserSet(users)
	if len(set.ids) != len(DemoUsers())+3 {
		t.Fatalf("ids %v: want the demo holders plus the file's", set.ids)
	}
	info := UserInfo(set.byID["899700427885"], "CARD")
	if info["Acces_Regulation_Medicale"] != "VRAI" || info["authMode"] != "CARD" {
		t.Fatalf("userinfo %+v", info)
	}
	if roles, _ := info["SubjectRole"].([]string); len(roles) != 1 || !strings.HasPrefix(roles[0], "10^") {
		t.Fatalf("SubjectRole %v", info["SubjectRole"])
	}
	if _, helper := info["codeProfession"]; helper {
		t.Fatal("helper key codeProfession leaked into userinfo")
	}
	if ids := info["otherIds"].([]map[string]any); len(ids) != 1 || ids[0]["identifiant"] != "99700427885" || ids[0]["origine"] != "RPPS" {
		t.Fatalf("otherIds %v", ids)
	}
	if Sub("500000001815646/CPAT00045") == "500000001815646/CPAT00045" || strings.Contains(Sub("500000001815646/CPAT00045"), "/") {
		t.Fatal("sub must differ from the national id and carry no slash")
	}
}

// TestUsersFileHolderSignsIn: a holder of a users file with a slash-shaped national id signs
// in by CIBA; ID token and userinfo carry that id as SubjectNameID.
func TestUsersFileHolderSignsIn(t *testing.T) {
	users, err := LoadUsers("testdata/users.json")
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Config{Users: users, Knobs: Knobs{Approve: ApproveAuto}})
	hc := httpClient(s)
	const id = "500000001815646/CPAT00045"
	a := postForm(t, hc, s.cibaURL(), testClient, cibaForm(id, "90"))
	tok := pollUntilFinal(t, s, hc, testClient, a)
	idt, err := verifyIDToken(t, s, hc, testClient, tok.IDToken)
	if err != nil {
		t.Fatal(err)
	}
	var c pscIDClaims
	if err := idt.Claims(&c); err != nil || c.SubjectNameID != id || c.FamilyName != "PETIT" || idt.Subject != Sub(id) {
		t.Fatalf("claims %+v sub %s: %v", c, idt.Subject, err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.issuer+ProtocolPath+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || info["SubjectNameID"] != id ||
		info["SubjectOrganization"] != "CENTRE 15 TEST" || info["sub"] != Sub(id) {
		t.Fatalf("userinfo %v: %v", info, err)
	}
}

func TestLoadUsersRefusals(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"not json":     `{`,
		"no id":        `[{"given_name": "A"}]`,
		"duplicate id": `[{"SubjectNameID": "1"}, {"SubjectNameID": "1"}]`,
		"bad name":     `[{"SubjectNameID": "1", "family_name": 3}]`,
	} {
		path := filepath.Join(dir, "u.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadUsers(path); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err %v, want ErrConfig", name, err)
		}
	}
	if _, err := LoadUsers(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestKnobsValidate(t *testing.T) {
	for name, k := range map[string]Knobs{
		"approve word":   {Approve: "yes"},
		"negative delay": {ApproveDelay: -time.Second},
		"sub-second":     {ExpiresIn: 500 * time.Millisecond},
		"negative slow":  {SlowDown: -1},
	} {
		if err := k.validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	if err := (Knobs{Approve: ApproveAuto, ACR: "eidas0", SlowDown: 2}).validate(); err != nil {
		t.Fatal(err)
	}
	if acrFor(Knobs{}, "eidas2") != "eidas2" || acrFor(Knobs{}, "x") != "eidas1" ||
		acrFor(Knobs{ACR: "eidas0"}, "eidas2") != "eidas0" || acrFor(Knobs{NoACR: true, ACR: "eidas3"}, "") != "" {
		t.Fatal("acrFor")
	}
}
