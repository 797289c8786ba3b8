package pscsim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/cps"
	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// User is a holder the simulator knows. Claims are PSC userinfo claims: SubjectNameID (the
// national id, as in login_hint) is required, given_name and family_name are expected; the
// claims a users file leaves out are filled with test values (see UserInfo).
type User struct {
	Claims map[string]any
}

// NationalID gives the SubjectNameID claim.
func (u User) NationalID() string { s, _ := u.Claims["SubjectNameID"].(string); return s }

func (u User) str(name string) string { s, _ := u.Claims[name].(string); return s }

// Sub is the user's OpenID subject: PSC's differs from the national id; the simulator's is a
// stable UUID-shaped value derived from it (a slash in a national id never reaches a sub).
func Sub(nationalID string) string {
	h := sha256.Sum256([]byte("cpx-pscsim sub:" + nationalID))
	return fmt.Sprintf("f:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// professions of the demo holders: codeProfession, codeCategorieProfessionnelle, RPPS or ADELI.
var demoProfession = map[string][2]string{
	"Médecin":   {"10", "C"},
	"Infirmier": {"60", "C"},
}

// DemoUsers gives the demo holders of internal/pki (the national ids of cpx-vcard's demo
// cards) as PSC users, sorted by national id. The physician is regulation-enabled
// (Acces_Regulation_Medicale VRAI).
func DemoUsers() []User {
	var users []User
	for _, key := range pki.DemoKeys() {
		h := pki.DemoHolders()[key]
		c := map[string]any{
			"SubjectNameID": h.NationalID,
			"given_name":    h.GivenName,
			"family_name":   h.Surname,
		}
		if p, ok := demoProfession[h.Title]; ok {
			c["codeProfession"], c["codeCategorieProfessionnelle"] = p[0], p[1]
		}
		if h.Family == cps.FamilyCPE {
			c["SubjectOrganization"] = h.Organization
		}
		if key == "cps" {
			c["Acces_Regulation_Medicale"] = "VRAI"
		}
		users = append(users, User{Claims: c})
	}
	sort.Slice(users, func(i, j int) bool { return users[i].NationalID() < users[j].NationalID() })
	return users
}

// LoadUsers reads a users file: a JSON array of objects of PSC userinfo claims, each with a
// non-empty SubjectNameID, distinct. Helper keys codeProfession, codeCategorieProfessionnelle
// and FINESS shape the generated SubjectRefPro when the object has none.
func LoadUsers(path string) ([]User, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pscsim: users file: %w", err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: users file %s: %v", ErrConfig, path, err)
	}
	seen := map[string]bool{}
	users := make([]User, 0, len(raw))
	for i, c := range raw {
		u := User{Claims: c}
		id := u.NationalID()
		if strings.TrimSpace(id) == "" {
			return nil, fmt.Errorf("%w: users file %s: entry %d has no SubjectNameID", ErrConfig, path, i+1)
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: users file %s: SubjectNameID %s twice", ErrConfig, path, id)
		}
		for _, k := range []string{"given_name", "family_name"} {
			if v, ok := c[k]; ok {
				if _, isStr := v.(string); !isStr {
					return nil, fmt.Errorf("%w: users file %s: %s of %s is not a string", ErrConfig, path, k, id)
				}
			}
		}
		seen[id] = true
		users = append(users, u)
	}
	return users, nil
}

// userSet indexes users by national id and by sub.
type userSet struct {
	byID, bySub map[string]User
	ids         []string
}

func newUserSet(extra []User) userSet {
	s := userSet{byID: map[string]User{}, bySub: map[string]User{}}
	for _, u := range append(DemoUsers(), extra...) {
		id := u.NationalID()
		if _, dup := s.byID[id]; !dup {
			s.ids = append(s.ids, id)
		}
		s.byID[id] = u
		s.bySub[Sub(id)] = u
	}
	sort.Strings(s.ids)
	return s
}
