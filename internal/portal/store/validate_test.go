package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func TestValidateUser(t *testing.T) {
	good := func() store.User {
		return store.User{Identifiant: "paul.dupont", GivenName: "Paul", FamilyName: "Dupont"}
	}
	bad := map[string]func(*store.User){
		"identifiant":        func(u *store.User) { u.Identifiant = "Paul Dupont" },
		"identifiant q":      func(u *store.User) { u.Identifiant = "" },
		"given name":         func(u *store.User) { u.GivenName = " " },
		"family name":        func(u *store.User) { u.FamilyName = "Du\x00pont" },
		"national id":        func(u *store.User) { u.NationalID = "abc" },
		"national id rpps":   func(u *store.User) { u.NationalID = "81000999999" },
		"national id cpe":    func(u *store.User) { u.NationalID = "3123/1" },
		"e-mail":             func(u *store.User) { u.Email = "notanemail" },
		"e-mail named":       func(u *store.User) { u.Email = "Paul <p@chu.fr>" },
		"mobile":             func(u *store.User) { u.Mobile = "12" },
		"mobile foreign off": func(u *store.User) { u.Mobile = "+4915112345678" },
	}
	for name, mod := range bad {
		u := good()
		mod(&u)
		err := store.ValidateUser(&u, otp.PhoneOptions{})
		if !errors.Is(err, store.ErrInvalid) || !strings.HasPrefix(err.Error(), strings.Fields(name)[0]) {
			t.Errorf("%s: %v, want ErrInvalid naming the field", name, err)
		}
	}
	for _, nid := range []string{"810000000001", "0751234567", "02B1234567", "3" + "123456789" + "/CPE0001", "5" + "12345678901234" + "/A1"} {
		u := good()
		u.NationalID, u.Email, u.Mobile = nid, "Paul.Dupont@CHU.fr", "06 12 34 56 78"
		if err := store.ValidateUser(&u, otp.PhoneOptions{}); err != nil {
			t.Errorf("national id %s: %v", nid, err)
		}
		if u.Email != "paul.dupont@chu.fr" || u.Mobile != "+33612345678" {
			t.Errorf("not normalised: %q %q", u.Email, u.Mobile)
		}
	}
}

func TestValidateEntity(t *testing.T) {
	for _, e := range []store.Entity{{ID: "", Name: ""}, {ID: "bad id!", Name: "X"}, {ID: "samu13", Name: ""}, {ID: "SAMU13", Name: "X"}} {
		if err := store.ValidateEntity(e); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", e, err)
		}
	}
	if err := store.ValidateEntity(store.Entity{ID: "samu_13-b", Name: "SAMU 13 — Marseille"}); err != nil {
		t.Error(err)
	}
}
