// Package bench measures card sign-ins per second against a real cpx-portal server on
// loopback: mutual TLS with RSA-2048 software keys issued by the test PKI (the size of a CPx
// card key), a full TLS handshake per sign-in, and session creation in SQLite or PostgreSQL.
// `go run ./internal/portal/bench/cmd` (make bench-portal) prints each figure beside its goal.
package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/certauth"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// Portal is a portal started for a run.
type Portal struct {
	URL     string
	Roots   *x509.CertPool
	Holders []*pki.Issued
	Store   *store.Store
	cert    tls.Certificate
	stop    func()
}

// Close stops the server and removes its scratch database.
func (p *Portal) Close() { p.stop() }

// StartPortal starts a server on 127.0.0.1 with a scratch store: SQLite in a temporary
// directory when pgDSN is "", else a new database created through pgDSN (dropped on Close).
// It enrols holders card holders issued by the test PKI.
func StartPortal(ctx context.Context, pgDSN string, holders int, ecdsaServer bool) (*Portal, error) {
	dir, err := os.MkdirTemp("", "cpx-portal-bench-")
	if err != nil {
		return nil, err
	}
	cleanups := []func(){func() { os.RemoveAll(dir) }}
	stop := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	p, err := startPortal(ctx, dir, pgDSN, holders, ecdsaServer, &cleanups)
	if err != nil {
		stop()
		return nil, err
	}
	p.stop = stop
	return p, nil
}

func startPortal(ctx context.Context, dir, pgDSN string, holders int, ecdsaServer bool, cleanups *[]func()) (*Portal, error) {
	dsn := ""
	if pgDSN != "" {
		var err error
		if dsn, err = scratchDB(pgDSN, cleanups); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, dsn, filepath.Join(dir, "data"))
	if err != nil {
		return nil, err
	}
	*cleanups = append(*cleanups, func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	ca, err := pki.Shared()
	if err != nil {
		return nil, err
	}
	p := &Portal{Roots: ca.Pool(), Store: st}
	if err := seed(ctx, st, ca, holders, p); err != nil {
		return nil, err
	}
	caFile, crlFile, err := writeCA(dir, ca)
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	v, err := certauth.New(caFile, crlFile, quiet)
	if err != nil {
		return nil, err
	}
	srv := server.New(server.Options{Store: st, Verifier: v, Log: quiet})
	cert, err := serverCert(ca, ecdsaServer)
	if err != nil {
		return nil, err
	}
	p.cert = cert
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.URL = "https://" + ln.Addr().String()
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(sctx, ln, cert, 5*time.Second); close(done) }()
	*cleanups = append(*cleanups, func() { cancel(); <-done })
	return p, nil
}

func seed(ctx context.Context, st *store.Store, ca *pki.PKI, n int, p *Portal) error {
	if err := st.AddEntity(ctx, store.Entity{ID: "samu99", Name: "SAMU 99 TEST"}); err != nil {
		return err
	}
	for i := range n {
		h := pki.Holder{NationalID: fmt.Sprintf("3%s/3%08d", pki.DemoFINESS, i), Surname: "BENCH", GivenName: fmt.Sprintf("USER%d", i)}
		is, err := ca.Issue(h)
		if err != nil {
			return err
		}
		u := store.User{NationalID: h.NationalID, Identifiant: h.NationalID, GivenName: h.GivenName, FamilyName: h.Surname, Habilitation: true}
		if err := st.AddUser(ctx, &u, []store.Profile{{EntityID: "samu99", Label: "ARM"}}); err != nil {
			return err
		}
		p.Holders = append(p.Holders, is)
	}
	return nil
}

func writeCA(dir string, ca *pki.PKI) (caFile, crlFile string, err error) {
	caFile, crlFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "crl.pem")
	b := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Issuer.Cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Cert.Raw})...)
	if err := os.WriteFile(caFile, b, 0o600); err != nil {
		return "", "", err
	}
	crl, err := ca.CRL(time.Now())
	if err != nil {
		return "", "", err
	}
	return caFile, crlFile, os.WriteFile(crlFile, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), 0o600)
}

// scratchDB creates cpx_portal_bench_<random> and returns its DSN.
func scratchDB(base string, cleanups *[]func()) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	name := "cpx_portal_bench_" + store.NewID()[:10]
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", fmt.Errorf("postgres: %w", err)
	}
	*cleanups = append(*cleanups, func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String(), nil
}

// cred is an agent.Credential over a software key.
// serverCert is the portal's certificate for 127.0.0.1: RSA-2048 from the test PKI, or an
// ECDSA P-256 one signed by the same issuing CA.
func serverCert(ca *pki.PKI, useECDSA bool) (tls.Certificate, error) {
	if !useECDSA {
		return ca.IssueServer("127.0.0.1")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{pki.Org}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Issuer.Cert, &key.PublicKey, ca.Issuer.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Issuer.Cert.Raw}, PrivateKey: key}, nil
}
