package server_test

import (
	"bufio"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestTLS12PKCS1Only: a client that can only make RSA PKCS#1 v1.5 signatures and speaks at
// most TLS 1.2 (a CPS3 card) completes the handshake and signs in.
func TestTLS12PKCS1Only(t *testing.T) {
	pt := portaltest.Start(t, store.SQLite)
	h := newHolder("CLAIRE", "FONTAINE")
	pt.Enroll(t, h)
	c := credOf(issue(t, pt.PKI, h))
	cert := tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.s, Leaf: c.cert,
		SupportedSignatureAlgorithms: []tls.SignatureScheme{tls.PKCS1WithSHA256}}
	conn, err := tls.Dial("tcp", strings.TrimPrefix(pt.URL, "https://"), &tls.Config{RootCAs: pt.Roots,
		MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatalf("TLS 1.2 PKCS#1 v1.5 handshake: %v", err)
	}
	defer conn.Close()
	st := conn.ConnectionState()
	if st.Version != tls.VersionTLS12 || c.s.n != 1 || c.s.pss != 0 {
		t.Fatalf("version %x, %d PKCS#1 signatures, %d PSS asked", st.Version, c.s.n, c.s.pss)
	}
	body := `{"workstation":"ws-cps3"}`
	req := "POST /v1/signin/card HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nConnection: close\r\n" +
		"Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign-in over TLS 1.2 PKCS#1: status %d", resp.StatusCode)
	}
}
