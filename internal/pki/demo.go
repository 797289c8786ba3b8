package pki

import (
	"sync"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

// Demo FINESS of a fictitious SAMU (9 digits, "99" is no real département).
const DemoFINESS = "990000010"

// DemoHolders gives the stable demo identities the portal's dev mode enrols and cpx-vcard
// carries: "cps" (a physician, RPPS), "adeli" (a nurse, ADELI), "cpe" and "cpe2" (two ARM
// of the same SAMU, for takeover tests). Every call returns a fresh map.
func DemoHolders() map[string]Holder {
	const cpeTitle = "Carte de service santé ou social"
	const samu = "SAMU 99 TEST"
	return map[string]Holder{
		"cps": {
			Family: cps.FamilyCPS, NationalID: "899700000005",
			Surname: "DURAND", GivenName: "JEANNE", Title: "Médecin",
		},
		"adeli": {
			Family: cps.FamilyCPS, NationalID: "0999700016",
			Surname: "LEROY", GivenName: "SOPHIE", Title: "Infirmier",
		},
		"cpe": {
			Family: cps.FamilyCPE, NationalID: "3" + DemoFINESS + "/000000018",
			Surname: "MARTIN", GivenName: "CAMILLE", Title: cpeTitle, Organization: samu,
		},
		"cpe2": {
			Family: cps.FamilyCPE, NationalID: "3" + DemoFINESS + "/000000026",
			Surname: "BERNARD", GivenName: "JULIEN", Title: cpeTitle, Organization: samu,
		},
	}
}

var shared struct {
	once sync.Once
	pki  *PKI
	err  error
}

// Shared gives one PKI per process (created on first use) so tests pay the CA key
// generation once. Callers must not Revoke certificates they did not issue themselves.
func Shared() (*PKI, error) {
	shared.once.Do(func() { shared.pki, shared.err = New() })
	return shared.pki, shared.err
}
