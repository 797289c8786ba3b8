package token

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"slices"

	"github.com/miekg/pkcs11"
)

// Cryptolib CPS object labels of the authentication key pair.
const (
	CryptolibAuthKeyLabel  = "CPS_PRIV_AUT"
	CryptolibAuthCertLabel = "Certificat d'Authentification CPS"
)

// certObject is an X.509 certificate object of the token.
type certObject struct {
	label string
	id    []byte
	cert  *x509.Certificate
}

// findLocked returns the handles of the objects matching tmpl.
func (t *Token) findLocked(tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	c := t.mod.ctx
	if err := c.FindObjectsInit(t.sess, tmpl); err != nil {
		return nil, t.failLocked("C_FindObjectsInit", err)
	}
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := c.FindObjects(t.sess, 32)
		if err != nil {
			_ = c.FindObjectsFinal(t.sess)
			return nil, t.failLocked("C_FindObjects", err)
		}
		all = append(all, hs...)
		if len(hs) < 32 {
			break
		}
	}
	if err := c.FindObjectsFinal(t.sess); err != nil {
		return nil, t.failLocked("C_FindObjectsFinal", err)
	}
	return all, nil
}

// attrsLocked reads the attributes typs of h, nil values for the ones the token lacks.
func (t *Token) attrsLocked(h pkcs11.ObjectHandle, typs ...uint) (map[uint][]byte, error) {
	out := map[uint][]byte{}
	for _, typ := range typs {
		// One call per attribute: a token answers CKR_ATTRIBUTE_TYPE_INVALID for the whole
		// template when one attribute is missing.
		a, err := t.mod.ctx.GetAttributeValue(t.sess, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
		if err != nil {
			if err = t.failLocked("C_GetAttributeValue", err); isRemoved(err) {
				return nil, err
			}
			continue
		}
		out[typ] = a[0].Value
	}
	return out, nil
}

// certificatesLocked reads the token's X.509 certificates (public objects, no PIN needed).
func (t *Token) certificatesLocked() ([]certObject, error) {
	hs, err := t.findLocked([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	var certs []certObject
	for _, h := range hs {
		a, err := t.attrsLocked(h, pkcs11.CKA_LABEL, pkcs11.CKA_ID, pkcs11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(a[pkcs11.CKA_VALUE])
		if err != nil {
			t.log.Debug("pkcs11 certificate object not parsable, ignored", "label", string(a[pkcs11.CKA_LABEL]), "err", err)
			continue
		}
		certs = append(certs, certObject{label: string(a[pkcs11.CKA_LABEL]), id: a[pkcs11.CKA_ID], cert: c})
	}
	return certs, nil
}

// pickAuthCert chooses the authentication certificate: Cryptolib's label first, else an RSA
// end-entity certificate whose KeyUsage has digitalSignature and whose EKU has clientAuth or
// is absent (explicit clientAuth preferred).
func pickAuthCert(certs []certObject) (certObject, bool) {
	for _, c := range certs {
		if _, rsaKey := c.cert.PublicKey.(*rsa.PublicKey); rsaKey && c.label == CryptolibAuthCertLabel {
			return c, true
		}
	}
	var fallback *certObject
	for i, c := range certs {
		x := c.cert
		if x.IsCA || x.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
			continue
		}
		if _, ok := x.PublicKey.(*rsa.PublicKey); !ok {
			continue
		}
		if slices.Contains(x.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
			return c, true
		}
		if len(x.ExtKeyUsage) == 0 && fallback == nil {
			fallback = &certs[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return certObject{}, false
}

// authCertLocked finds the authentication certificate.
func (t *Token) authCertLocked() (certObject, error) {
	certs, err := t.certificatesLocked()
	if err != nil {
		return certObject{}, err
	}
	c, ok := pickAuthCert(certs)
	if !ok {
		return certObject{}, fmt.Errorf("%w: no authentication certificate among %d", ErrKeyNotFound, len(certs))
	}
	return c, nil
}

// privateKeyLocked finds the private key of cert: Cryptolib's CPS_PRIV_AUT label first, else
// the private key with the certificate's CKA_ID. Private keys may be visible only after
// login. When the key shows its modulus, it must be the certificate's.
func (t *Token) privateKeyLocked(c certObject) (pkcs11.ObjectHandle, error) {
	class := pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY)
	hs, err := t.findLocked([]*pkcs11.Attribute{class, pkcs11.NewAttribute(pkcs11.CKA_LABEL, CryptolibAuthKeyLabel)})
	if err != nil {
		return 0, err
	}
	if len(hs) == 0 && len(c.id) > 0 {
		if hs, err = t.findLocked([]*pkcs11.Attribute{class, pkcs11.NewAttribute(pkcs11.CKA_ID, c.id)}); err != nil {
			return 0, err
		}
	}
	if len(hs) == 0 {
		return 0, fmt.Errorf("%w: no private key for certificate %q", ErrKeyNotFound, c.label)
	}
	a, err := t.attrsLocked(hs[0], pkcs11.CKA_MODULUS)
	if err != nil {
		return 0, err
	}
	pub := c.cert.PublicKey.(*rsa.PublicKey)
	if m := a[pkcs11.CKA_MODULUS]; len(m) > 0 && !bytes.Equal(new(big.Int).SetBytes(m).Bytes(), pub.N.Bytes()) {
		return 0, fmt.Errorf("%w: private key and certificate %q differ", ErrKeyNotFound, c.label)
	}
	return hs[0], nil
}

// Certificate reads the authentication certificate (a public object: no PIN needed).
func (t *Token) Certificate() (*x509.Certificate, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return nil, err
	}
	c, err := t.authCertLocked()
	if err != nil {
		return nil, err
	}
	return c.cert, nil
}
