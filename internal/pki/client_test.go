package pki

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/cps"
)

func TestIssueClientForServices(t *testing.T) {
	p := sharedPKI(t)
	cert, err := p.IssueClient("cpx-portal-dev")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if got, want := leaf.Subject.String(), ServiceClientDN("cpx-portal-dev"); got != want {
		t.Fatalf("subject %q, want %q", got, want)
	}
	if want := "CN=cpx-portal-dev,O=CPX-AGENT TEST,C=FR"; ServiceClientDN("cpx-portal-dev") != want {
		t.Fatalf("ServiceClientDN = %q, want %q", ServiceClientDN("cpx-portal-dev"), want)
	}
	if len(cert.Certificate) != 2 {
		t.Fatalf("chain of %d certificates, want 2 (client, issuing CA)", len(cert.Certificate))
	}
	if _, err := leaf.Verify(p.VerifyOptions(time.Now())); err != nil {
		t.Fatalf("client certificate does not verify for clientAuth: %v", err)
	}
	serverOpts := p.VerifyOptions(time.Now())
	serverOpts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if _, err := leaf.Verify(serverOpts); err == nil {
		t.Fatal("a client certificate verified for serverAuth")
	}
	if _, err := cps.FromCertificate(leaf); err == nil {
		t.Fatal("a service client certificate was read as a card holder")
	}
	if _, err := p.IssueClient(""); !errors.Is(err, ErrPKI) {
		t.Fatalf("empty cn: err %v, want ErrPKI", err)
	}
}
