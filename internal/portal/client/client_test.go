package client

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

func TestNewRefusesNonHTTPS(t *testing.T) {
	for _, u := range []string{"http://portal", "portal:8443", "https://", "::"} {
		if _, err := New(u, Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func TestReadEvents(t *testing.T) {
	stream := ": hello\n\nid: 4\nevent: phone_taken_over\ndata: {\"type\":\"phone_taken_over\",\"phone\":\"1001\",\"by\":\"A B\"}\n\n" +
		"data: not json\n\n" +
		"event: session_expiring\ndata: {\"type\":\"session_expiring\"}\n\n" +
		"data: {\"type\":\"session_revoked\"}\n\n" +
		"data: {\"type\":\"phone_taken_over\"}\n\n"
	ch := make(chan api.Event, 10)
	readEvents(context.Background(), bufio.NewScanner(strings.NewReader(stream)), ch)
	close(ch)
	var got []string
	for e := range ch {
		got = append(got, e.Type)
	}
	want := []string{api.EventPhoneTakenOver, api.EventExpiring, api.EventRevoked}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v (nothing after the final event)", got, want)
	}
}

func TestDecodeError(t *testing.T) {
	resp := &http.Response{StatusCode: 409, Body: io.NopCloser(strings.NewReader(
		`{"error":{"code":"phone_taken","message":"x","details":{"holder":"Camille MARTIN"}}}`))}
	err := decodeError(resp)
	if api.CodeOf(err) != api.CodePhoneTaken || api.DetailOf(err, "holder") != "Camille MARTIN" {
		t.Fatalf("decoded %v", err)
	}
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != 409 {
		t.Fatalf("status lost: %+v", ae)
	}
	resp = &http.Response{StatusCode: 502, Body: io.NopCloser(strings.NewReader("<html>bad gateway</html>"))}
	if err := decodeError(resp); !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("non-JSON error: %v", err)
	}
}

type hwSigner struct {
	crypto.Signer
	pss bool
}

func (h hwSigner) CanPSS() bool { return h.pss }

func TestSignatureSchemes(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{Raw: []byte{1}}
	c, _ := New("https://portal.test", Options{})
	yes, no := true, false
	cases := []struct {
		name   string
		signer crypto.Signer
		opt    *bool
		pkcs1  bool
	}{
		{"software key", key, nil, false},
		{"card without PSS", hwSigner{key, false}, nil, true},
		{"card with PSS", hwSigner{key, true}, nil, false},
		{"unknown RSA signer", struct{ crypto.Signer }{key}, nil, true},
		{"forced PKCS1", key, &yes, true},
		{"forced PSS", hwSigner{key, false}, &no, false},
	}
	for _, tc := range cases {
		c.opts.PKCS1Only = tc.opt
		got := c.TLSCertificate(tc.signer, leaf).SupportedSignatureAlgorithms
		if (got != nil) != tc.pkcs1 || (tc.pkcs1 && !slices.Equal(got, pkcs1Schemes)) {
			t.Errorf("%s: schemes %v", tc.name, got)
		}
	}
}
