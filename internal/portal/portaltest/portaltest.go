// Package portaltest starts a real cpx-portal server for tests: HTTPS on a loopback port with
// a server certificate and client CA bundle + CRL from the test IGC-Santé PKI (internal/pki),
// on a scratch SQLite or PostgreSQL store, with a demo entity and phones.
package portaltest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/certauth"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// Entity and Phones are the demo entity every test portal has.
const (
	Entity      = "samu99"
	EntityName  = "SAMU 99 TEST"
	OtherEntity = "samu98"
)

// Phones of Entity; OtherEntity has "9801".
var Phones = []string{"1001", "1002", "1003"}

// Portal is a running test portal.
type Portal struct {
	URL     string
	Store   *store.Store
	Server  *server.Server
	PKI     *pki.PKI
	Roots   *x509.CertPool // trust for the portal's certificate
	Dir     string
	CRLPath string
}

// Start starts a portal on 127.0.0.1 with a scratch store of dialect, seeded with the demo
// entity and phones; it stops after the test.
func Start(t testing.TB, dialect string, mod ...func(*server.Options)) *Portal {
	t.Helper()
	pt := StartWith(t, storetest.Open(t, dialect), mod...)
	pt.seed(t)
	return pt
}

// StartWith starts a portal on an open, migrated store without seeding it: a second
// instance on the same database, for example.
func StartWith(t testing.TB, st *store.Store, mod ...func(*server.Options)) *Portal {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatalf("test pki: %v", err)
	}
	pt := &Portal{Store: st, PKI: p, Roots: p.Pool(), Dir: t.TempDir()}
	caPath := filepath.Join(pt.Dir, "client-ca.pem")
	ca := append(pemCert(p.Issuer.Cert), pemCert(p.Root.Cert)...)
	if err := os.WriteFile(caPath, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	pt.CRLPath = filepath.Join(pt.Dir, "crl.pem")
	pt.WriteCRL(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	v, err := certauth.New(caPath, pt.CRLPath, log)
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	opts := server.Options{Store: pt.Store, Verifier: v, Log: log, PollInterval: 100 * time.Millisecond}
	for _, m := range mod {
		m(&opts)
	}
	pt.Server = server.New(opts)
	cert, err := p.IssueServer("127.0.0.1", "localhost")
	if err != nil {
		t.Fatalf("server certificate: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pt.URL = "https://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pt.Server.Serve(ctx, ln, cert, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("portal serve: %v", err)
		}
	})
	return pt
}

func (pt *Portal) seed(t testing.TB) {
	ctx := context.Background()
	for id, name := range map[string]string{Entity: EntityName, OtherEntity: "SAMU 98 TEST"} {
		if err := pt.Store.AddEntity(ctx, store.Entity{ID: id, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range Phones {
		if err := pt.Store.AddPhone(ctx, store.Phone{EntityID: Entity, Number: n, Label: "Poste " + n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pt.Store.AddPhone(ctx, store.Phone{EntityID: OtherEntity, Number: "9801"}); err != nil {
		t.Fatal(err)
	}
}

// Enroll creates the account of a holder with an "ARM" profile in Entity.
func (pt *Portal) Enroll(t testing.TB, h pki.Holder) store.User {
	t.Helper()
	u := store.User{NationalID: h.NationalID, Identifiant: h.NationalID, GivenName: h.GivenName,
		FamilyName: h.Surname, Habilitation: true}
	if err := pt.Store.AddUser(context.Background(), &u, []store.Profile{{EntityID: Entity, Label: "ARM"}}); err != nil {
		t.Fatalf("enroll %s: %v", h.NationalID, err)
	}
	return u
}

// WriteCRL writes the PKI's current CRL where the portal reads it (it reloads it by itself).
func (pt *Portal) WriteCRL(t testing.TB) {
	t.Helper()
	der, err := pt.PKI.CRL(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tmp := pt.CRLPath + ".tmp"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, pt.CRLPath); err != nil {
		t.Fatal(err)
	}
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
