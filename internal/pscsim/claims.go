package pscsim

import (
	"maps"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/pki"
)

// PSC's nomenclature OIDs (as userinfo writes them, "code^OID").
const (
	oidProfession = "1.2.250.1.213.1.1.5.5"
	oidSecteur    = "1.2.250.1.71.4.2.4"
	oidPalier     = "1.2.250.1.213.1.5.1.1.1"
)

// helper keys of a users file that shape generated claims but are not claims themselves.
var helperKeys = []string{"codeProfession", "codeCategorieProfessionnelle", "FINESS"}

// UserInfo gives the PSC userinfo claims of u (sub excepted: the provider adds it) after a
// sign-in by authMode ("MOBILE" or "CARD"). Claims of the users file win over generated ones.
func UserInfo(u User, authMode string) map[string]any {
	id := u.NationalID()
	finess := u.str("FINESS")
	if finess == "" {
		finess = pki.DemoFINESS
	}
	prof, cat := u.str("codeProfession"), u.str("codeCategorieProfessionnelle")
	org := u.str("SubjectOrganization")
	if org == "" {
		org = "SAMU 99 TEST"
	}
	c := map[string]any{
		"SubjectNameID":             id,
		"preferred_username":        id,
		"Secteur_Activite":          "SA07^" + oidSecteur,
		"SubjectOrganization":       org,
		"SubjectOrganizationID":     "1" + finess,
		"SubjectRole":               []string{},
		"Mode_Acces_Raison":         "",
		"Acces_Regulation_Medicale": "FAUX",
		"Palier_Authentification":   "APPPRIP3^" + oidPalier,
		"authMode":                  authMode,
		"otherIds":                  otherIDs(id),
		"SubjectRefPro":             refPro(u, prof, cat, finess, org),
	}
	if prof != "" {
		c["SubjectRole"] = []string{prof + "^" + oidProfession}
	}
	maps.Copy(c, u.Claims)
	for _, k := range helperKeys {
		delete(c, k)
	}
	return c
}

// otherIDs: the RPPS or ADELI number behind an "8"/"0"-prefixed national id.
func otherIDs(id string) []map[string]any {
	origin := map[byte]string{'8': "RPPS", '0': "ADELI"}[id[0]]
	if origin == "" || strings.Contains(id, "/") {
		return []map[string]any{}
	}
	return []map[string]any{{"identifiant": id[1:], "origine": origin, "qualite": 1}}
}

// refPro builds SubjectRefPro: one exercice (profession) with one activity at the FINESS site.
func refPro(u User, prof, cat, finess, org string) map[string]any {
	activity := map[string]any{
		"codeModeExercice":                   "S",
		"codeSecteurDactivite":               "SA07",
		"codeRole":                           "FON-05",
		"numeroFinessSite":                   finess,
		"numeroFinessetablissementJuridique": finess[:len(finess)-1] + "1",
		"numeroSiretSite":                    "",
		"raisonSocialeSite":                  org,
		"codePostal":                         "99000",
		"ville":                              "VILLE TEST",
	}
	exercice := map[string]any{
		"codeProfession":               prof,
		"codeCategorieProfessionnelle": cat,
		"nomDexercice":                 u.str("family_name"),
		"prenomDexercice":              u.str("given_name"),
		"codeTypeSavoirFaire":          "",
		"codeSavoirFaire":              "",
		"activities":                   []map[string]any{activity},
	}
	return map[string]any{"codeCivilite": "", "exercices": []map[string]any{exercice}}
}

// idTokenClaims gives the PSC claims an ID token carries besides the registered ones.
func idTokenClaims(u User, acr, authMode string) map[string]any {
	c := map[string]any{
		"SubjectNameID":      u.NationalID(),
		"preferred_username": u.NationalID(),
		"given_name":         u.str("given_name"),
		"family_name":        u.str("family_name"),
		"authMode":           authMode,
	}
	if acr != "" {
		c["acr"] = acr
	}
	return c
}
