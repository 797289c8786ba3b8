package pscsim

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/luikyv/go-oidc/pkg/goidc"
)

// signingKeys: the key the JWKS publishes and one it never does (Knobs.UnknownKey).
type signingKeys struct {
	main, rogue       *rsa.PrivateKey
	mainKID, rogueKID string
}

func newSigningKeys() (*signingKeys, error) {
	main, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("pscsim: signing key: %w", err)
	}
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("pscsim: unknown key: %w", err)
	}
	k := &signingKeys{main: main, rogue: rogue}
	if k.mainKID, err = thumbprint(&main.PublicKey); err != nil {
		return nil, err
	}
	if k.rogueKID, err = thumbprint(&rogue.PublicKey); err != nil {
		return nil, err
	}
	return k, nil
}

func thumbprint(pub *rsa.PublicKey) (string, error) {
	jwk := goidc.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("pscsim: key id: %w", err)
	}
	return fmt.Sprintf("%x", tp[:8]), nil
}

// jwks is the provider's JWKSFunc: the public signing key only (signing goes through signer).
func (s *Server) jwks(context.Context) (goidc.JSONWebKeySet, error) {
	return goidc.JSONWebKeySet{Keys: []goidc.JSONWebKey{{
		Key: &s.keys.main.PublicKey, KeyID: s.keys.mainKID, Algorithm: string(goidc.RS256), Use: "sig",
	}}}, nil
}

// signer is the provider's SignerFunc: the published key, or the unknown one under the knob.
func (s *Server) signer(_ context.Context, alg goidc.SignatureAlgorithm) (string, crypto.Signer, error) {
	if alg != goidc.RS256 {
		return "", nil, fmt.Errorf("pscsim: no key for %s", alg)
	}
	if s.Knobs().UnknownKey {
		return s.keys.rogueKID, s.keys.rogue, nil
	}
	return s.keys.mainKID, s.keys.main, nil
}
