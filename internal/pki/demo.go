package pki

import (
	"fmt"
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

var sharedDemo struct {
	mu     sync.Mutex
	issued map[string]*Issued
}

// SharedDemo gives the demo holder key (see DemoHolders) issued once per process by the
// Shared PKI. Callers must not revoke it: issue their own holder for revocation tests.
func SharedDemo(key string) (*Issued, error) {
	h, ok := DemoHolders()[key]
	if !ok {
		return nil, fmt.Errorf("pki: no demo holder %q: %w", key, ErrPKI)
	}
	p, err := Shared()
	if err != nil {
		return nil, err
	}
	sharedDemo.mu.Lock()
	defer sharedDemo.mu.Unlock()
	if is, ok := sharedDemo.issued[key]; ok {
		return is, nil
	}
	is, err := p.Issue(h)
	if err != nil {
		return nil, err
	}
	if sharedDemo.issued == nil {
		sharedDemo.issued = map[string]*Issued{}
	}
	sharedDemo.issued[key] = is
	return is, nil
}
