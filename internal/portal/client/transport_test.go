package client

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The failures the engine used to recognise by their net, net/url and x509 types are named
// here, once, by the sentinel each one is wrapped in; the cause stays behind it.
func TestTransportErrClassifies(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "https://portal", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"refused", refused, api.ErrPortalUnreachable},
		{"dns", &url.Error{Op: "Get", URL: "https://portal.invalid", Err: &net.DNSError{Err: "no such host", Name: "portal.invalid", IsNotFound: true}}, api.ErrPortalUnreachable},
		{"unknown authority", &url.Error{Op: "Post", URL: "https://portal", Err: x509.UnknownAuthorityError{}}, api.ErrPortalCertificate},
		{"host name", &url.Error{Op: "Post", URL: "https://portal", Err: x509.HostnameError{Host: "portal"}}, api.ErrPortalCertificate},
		{"deadline", context.DeadlineExceeded, api.ErrPortalTimeout},
		{"deadline in url.Error", &url.Error{Op: "Post", URL: "https://portal", Err: context.DeadlineExceeded}, api.ErrPortalTimeout},
	}
	sentinels := []error{api.ErrPortalUnreachable, api.ErrPortalTimeout, api.ErrPortalCertificate}
	for _, tc := range cases {
		got := transportErr("portal POST /x", tc.err)
		for _, s := range sentinels {
			if errors.Is(got, s) != (s == tc.want) {
				t.Errorf("%s: errors.Is(%v, %v) = %v", tc.name, got, s, errors.Is(got, s))
			}
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: the cause is lost: %v", tc.name, got)
		}
	}
}

// The same through real connections: a closed port, a portal whose certificate is not trusted,
// a portal that does not answer before the deadline.
func TestTransportFailuresOnLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String()
	ln.Close()

	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer untrusted.Close()

	hang := make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer slow.Close()
	defer close(hang)
	roots := x509.NewCertPool()
	roots.AddCert(slow.Certificate())

	cases := []struct {
		name, url string
		roots     *x509.CertPool
		want      error
	}{
		{"refused", closed, nil, api.ErrPortalUnreachable},
		{"untrusted", untrusted.URL, nil, api.ErrPortalCertificate},
		{"timeout", slow.URL, roots, api.ErrPortalTimeout},
	}
	for _, tc := range cases {
		c, err := New(tc.url, Options{RootCAs: tc.roots})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, err = c.Session(ctx, "tok")
		cancel()
		if !errors.Is(err, tc.want) || api.CodeOf(err) != "" {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if tc.want != api.ErrPortalTimeout { // the event stream has no deadline of its own
			_, err = c.Events(context.Background(), "tok")
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: events: %v, want %v", tc.name, err, tc.want)
			}
		}
		c.Close()
	}
}
