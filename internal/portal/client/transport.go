package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// transportErr wraps a failure of the exchange itself (what is the operation, err the cause,
// kept) in the api sentinel that names it: the portal's certificate, a passed deadline, or no
// answer at all (refused, unknown host, other TLS failure).
func transportErr(what string, err error) error {
	sentinel := api.ErrPortalUnreachable
	switch {
	case isCertificate(err):
		sentinel = api.ErrPortalCertificate
	case errors.Is(err, context.DeadlineExceeded):
		sentinel = api.ErrPortalTimeout
	}
	return fmt.Errorf("%s: %w: %w", what, sentinel, err)
}

// isCertificate tells a portal certificate that failed verification.
func isCertificate(err error) bool {
	_, verify := errors.AsType[*tls.CertificateVerificationError](err)
	_, unknownCA := errors.AsType[x509.UnknownAuthorityError](err)
	_, host := errors.AsType[x509.HostnameError](err)
	_, invalid := errors.AsType[x509.CertificateInvalidError](err)
	return verify || unknownCA || host || invalid
}

func isNetwork(err error) bool {
	_, ok := errors.AsType[net.Error](err)
	return ok
}
