package server_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// pkcs1Signer is a software key that refuses RSA-PSS, like a CPS3 card: a handshake only
// succeeds when the client offers PKCS#1 v1.5 and the server accepts it.
type pkcs1Signer struct {
	key *rsa.PrivateKey
	mu  sync.Mutex
	pss int // PSS signatures asked (must stay 0)
	n   int // signatures made
}

func (s *pkcs1Signer) Public() crypto.PublicKey { return &s.key.PublicKey }

func (s *pkcs1Signer) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := opts.(*rsa.PSSOptions); ok {
		s.pss++
		return nil, errors.New("this key cannot do PSS")
	}
	s.n++
	return rsa.SignPKCS1v15(r, s.key, opts.HashFunc(), digest)
}

// cred is a test card: a pkcs1Signer and its certificate.
type cred struct {
	s    *pkcs1Signer
	cert *x509.Certificate
}

// signInCard signs in with the test card credential cr.
func signInCard(ctx context.Context, c *client.Client, cr *cred, ws string) (api.SignIn, error) {
	return c.SignInCard(ctx, cr.s, cr.cert, ws)
}

func credOf(is *pki.Issued) *cred {
	return &cred{s: &pkcs1Signer{key: is.Key}, cert: is.Cert}
}

func newClient(t testing.TB, pt *portaltest.Portal) *client.Client {
	t.Helper()
	c, err := client.New(pt.URL, client.Options{RootCAs: pt.Roots})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func issue(t *testing.T, p *pki.PKI, h pki.Holder) *pki.Issued {
	t.Helper()
	is, err := p.Issue(h)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

var holderSeq struct {
	mu sync.Mutex
	n  int
}

// newHolder is a fresh CPE holder with a national id unique in this process.
func newHolder(given, sur string) pki.Holder {
	holderSeq.mu.Lock()
	holderSeq.n++
	n := holderSeq.n
	holderSeq.mu.Unlock()
	id := "3" + pki.DemoFINESS + "/1" + pad(n)
	return pki.Holder{NationalID: id, Surname: sur, GivenName: given, Title: "Carte de service santé ou social"}
}

func pad(n int) string {
	s := "00000000" + itoa(n)
	return s[len(s)-8:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func forEachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// counts is the state a refusal must not change.
type counts struct{ sessions, links, users int }

func countState(t *testing.T, pt *portaltest.Portal) counts {
	t.Helper()
	var c counts
	db := pt.Store.DB()
	ctx := context.Background()
	for q, dst := range map[string]*int{"SELECT COUNT(*) FROM sessions": &c.sessions,
		"SELECT COUNT(*) FROM phone_links": &c.links, "SELECT COUNT(*) FROM users": &c.users} {
		if err := db.QueryRowContext(ctx, q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
