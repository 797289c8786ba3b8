package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// Dev-mode demo data: one entity, its desk phones, and the demo holders of internal/pki.
const (
	devEntity     = "samu99"
	devEntityName = "SAMU 99 TEST"
)

var devPhones = []string{"1001", "1002", "1003", "1004", "1005"}

// devSetup makes the data directory usable without any setup: the test PKI (client CA bundle
// and CRL; the same one `cpx-vcard pki` writes when pointed at data_dir/pki), a server
// certificate for localhost, and the demo entity, phones and users. It is idempotent.
func devSetup(ctx context.Context, c config.Config, st *store.Store, log *slog.Logger) (config.Config, error) {
	pkiDir := filepath.Join(c.DataDir, "pki")
	demo, err := pki.OpenOrCreateDemo(pkiDir)
	if err != nil {
		return c, err
	}
	if c.ClientCA == "" {
		c.ClientCA = filepath.Join(pkiDir, pki.ChainFile)
	}
	if c.ClientCRL == "" {
		c.ClientCRL = filepath.Join(pkiDir, pki.CRLFile)
		if err := demo.PKI.Save(pkiDir); err != nil { // a fresh CRL at every start
			return c, err
		}
	}
	if c.TLSCert == "" {
		c.TLSCert, c.TLSKey = filepath.Join(c.DataDir, "server.pem"), filepath.Join(c.DataDir, "server-key.pem")
		if err := devServerCert(demo.PKI, c.TLSCert, c.TLSKey); err != nil {
			return c, err
		}
	}
	if err := devData(ctx, st); err != nil {
		return c, err
	}
	if c, err = devPSC(c, demo.PKI, pkiDir); err != nil {
		return c, fmt.Errorf("psc: %w", err)
	}
	log.Warn("DEV MODE: test PKI and demo accounts; never use in production",
		"trust_root", filepath.Join(pkiDir, pki.RootFile), "client_ca", c.ClientCA)
	return c, nil
}

func devServerCert(p *pki.PKI, certPath, keyPath string) error {
	if _, err := os.Stat(certPath); err == nil {
		return nil
	}
	cert, err := p.IssueServer("localhost", "127.0.0.1", "::1")
	if err != nil {
		return err
	}
	return writeKeyPair(cert, certPath, keyPath)
}

func devData(ctx context.Context, st *store.Store) error {
	ignore := func(err error) error {
		if errors.Is(err, store.ErrConflict) {
			return nil
		}
		return err
	}
	if err := ignore(st.AddEntity(ctx, store.Entity{ID: devEntity, Name: devEntityName})); err != nil {
		return err
	}
	for _, n := range devPhones {
		if err := st.AddPhone(ctx, store.Phone{EntityID: devEntity, Number: n, Label: "Poste " + n, Location: "Salle de régulation"}); err != nil {
			return err
		}
	}
	for _, key := range pki.DemoKeys() {
		h := pki.DemoHolders()[key]
		u := store.User{NationalID: h.NationalID, Identifiant: identifiant(h), GivenName: h.GivenName,
			FamilyName: h.Surname, Email: key + "@demo.test", Habilitation: true}
		label := "ARM"
		if key == "cps" || key == "adeli" {
			label = h.Title
		}
		if err := ignore(st.AddUser(ctx, &u, []store.Profile{{EntityID: devEntity, Label: label}})); err != nil {
			return err
		}
	}
	return nil
}

// identifiant is prénom.nom in lower case.
func identifiant(h pki.Holder) string {
	return strings.ToLower(h.GivenName + "." + h.Surname)
}
