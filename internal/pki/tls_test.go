package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

// TestMutualTLSOnLoopback runs a real TLS 1.2 handshake (rsa_pkcs1, what a CPS3 card can do)
// on 127.0.0.1: server certificate from IssueServer, client certificate of a demo holder, and
// the server reads the holder identity from the verified peer certificate.
func TestMutualTLSOnLoopback(t *testing.T) {
	p := sharedPKI(t)
	srvCert, err := p.IssueServer("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{srvCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.Pool(),
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan error, 1)
	var peer cps.Identity
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			got <- err
			return
		}
		peer, err = cps.FromCertificate(tc.ConnectionState().PeerCertificates[0])
		if err == nil {
			_, err = io.WriteString(tc, "ok")
		}
		got <- err
	}()
	holder := demo(t, "cpe")
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
		RootCAs:      p.Pool(),
		Certificates: []tls.Certificate{holder.TLSCertificate(p.Issuer.Cert)},
		MaxVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 2)
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not finish")
	}
	if peer.Family != cps.FamilyCPE || peer.StaffID != "000000018" {
		t.Errorf("server saw %+v", peer)
	}
}

func TestServerCertificateIsNoHolder(t *testing.T) {
	p := sharedPKI(t)
	if _, err := p.IssueServer(); !errors.Is(err, ErrPKI) {
		t.Errorf("no host: %v", err)
	}
	srv, err := p.IssueServer("portal.test", "::1")
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Leaf.IPAddresses) != 1 || len(srv.Leaf.DNSNames) != 1 {
		t.Errorf("names %v %v", srv.Leaf.DNSNames, srv.Leaf.IPAddresses)
	}
	if _, err := srv.Leaf.Verify(p.VerifyOptions(time.Now())); err == nil {
		t.Error("server certificate verifies for client authentication")
	}
	opts := p.VerifyOptions(time.Now())
	opts.KeyUsages, opts.DNSName = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, "portal.test"
	if _, err := srv.Leaf.Verify(opts); err != nil {
		t.Errorf("server certificate for portal.test: %v", err)
	}
	if _, err := cps.FromCertificate(srv.Leaf); !errors.Is(err, cps.ErrNotCPx) {
		t.Errorf("server certificate read as a holder: %v", err)
	}
}
