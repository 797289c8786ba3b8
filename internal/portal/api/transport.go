package api

import "errors"

// Transport failures. internal/portal/client wraps every failure of the HTTP exchange itself
// (the portal never answered) in one of these, the original error kept behind it, so that a
// caller names the failure with errors.Is and never sniffs net, net/url or crypto/x509 types.
// A refusal by the portal is never one of these: it is *Error with a stable code.
var (
	// ErrPortalUnreachable: no answer (connection refused or reset, unknown host, TLS
	// handshake failure other than the portal's certificate).
	ErrPortalUnreachable = errors.New("portal unreachable")
	// ErrPortalTimeout: the call's deadline passed before the portal answered.
	ErrPortalTimeout = errors.New("portal did not answer in time")
	// ErrPortalCertificate: the portal's TLS certificate is not trusted (unknown authority,
	// wrong host name, invalid).
	ErrPortalCertificate = errors.New("portal certificate not trusted")
)
