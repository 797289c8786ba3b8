package token

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// Hash algorithm identifiers (RFC 8017 appendix A.2.4, NIST CSOR).
var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA224: {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

// DigestInfo encodes the PKCS#1 v1.5 DigestInfo of digest made with h (the input of
// CKM_RSA_PKCS). crypto.MD5SHA1 (TLS ≤ 1.1) has no DigestInfo: digest is returned as is.
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	if h == crypto.MD5SHA1 {
		if len(digest) != h.Size() {
			return nil, fmt.Errorf("token: md5+sha1 digest is %d bytes, want %d", len(digest), h.Size())
		}
		return digest, nil
	}
	oid, ok := hashOIDs[h]
	if !ok {
		return nil, fmt.Errorf("%w: hash %v", ErrUnsupported, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("token: %v digest is %d bytes, want %d", h, len(digest), h.Size())
	}
	return asn1.Marshal(digestInfo{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		Digest:    digest,
	})
}
