package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

func TestHelpInFrench(t *testing.T) {
	var out bytes.Buffer
	if rc := run([]string{"--help"}, &out, io.Discard); rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	for _, want := range []string{"Simulateur Pro Santé Connect", "approuve", "serve", "/telephone"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	var errOut bytes.Buffer
	if rc := run([]string{"frobnicate"}, io.Discard, &errOut); rc != 2 || !strings.Contains(errOut.String(), "commande inconnue") {
		t.Fatalf("unknown command: rc %d %q", rc, errOut.String())
	}
	if rc := run([]string{"approve", "--server", "https://127.0.0.1:1"}, io.Discard, &errOut); rc != 2 {
		t.Fatalf("approve without a selector: rc %d", rc)
	}
}

// TestServeThenApproveFromTheCommandLine runs `serve` on a fresh PKI directory, makes a
// push as the portal would (tls_client_auth with the dev client certificate) and answers it
// with `approve --code` and `deny --national-id`.
func TestServeThenApproveFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, []string{"--listen", "127.0.0.1:0", "--pki", dir, "--interval", "1s"}, pw, io.Discard)
		pw.Close()
	}()
	issuer, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if rc := <-done; rc != 0 {
			t.Errorf("serve rc %d", rc)
		}
	}()
	issuer = strings.TrimSpace(issuer)
	origin := strings.TrimSuffix(issuer, pscsim.RealmPath)
	caFile := filepath.Join(dir, pki.RootFile)
	hc := devClient(t, dir)
	first := push(t, hc, issuer, "899700000005", "42")
	second := push(t, hc, issuer, "0999700016", "17")

	var out, errOut bytes.Buffer
	if rc := run([]string{"approve", "--server", origin, "--ca", caFile, "--code", "42"}, &out, &errOut); rc != 0 {
		t.Fatalf("approve rc %d: %s", rc, errOut.String())
	}
	if !strings.Contains(out.String(), "Demande approuvée : code 42, 899700000005") {
		t.Fatalf("approve said %q", out.String())
	}
	if rc := run([]string{"deny", "--server", origin, "--ca", caFile, "--national-id", "0999700016"}, &out, &errOut); rc != 0 {
		t.Fatalf("deny rc %d: %s", rc, errOut.String())
	}
	if got := poll(t, hc, issuer, first); got != 200 {
		t.Fatalf("approved push: token status %d", got)
	}
	if got := poll(t, hc, issuer, second); got != 400 {
		t.Fatalf("denied push: token status %d", got)
	}
	errOut.Reset()
	if rc := run([]string{"approve", "--server", origin, "--ca", caFile, "--all"}, io.Discard, &errOut); rc != 1 ||
		!strings.Contains(errOut.String(), "aucune demande en attente") {
		t.Fatalf("nothing pending: rc %d %q", rc, errOut.String())
	}
	out.Reset()
	if rc := run([]string{"knobs", "--server", origin, "--ca", caFile, "--slow-down", "2", "--acr", "eidas0"}, &out, &errOut); rc != 0 ||
		!strings.Contains(out.String(), `slow-down=2 `) || !strings.Contains(out.String(), `acr="eidas0"`) {
		t.Fatalf("knobs rc %d: %q %q", rc, out.String(), errOut.String())
	}
	out.Reset()
	if rc := run([]string{"knobs", "--server", origin, "--ca", caFile}, &out, &errOut); rc != 0 || !strings.Contains(out.String(), `slow-down=2 `) {
		t.Fatalf("knobs shown rc %d: %q", rc, out.String())
	}
	if rc := run([]string{"knobs", "--server", origin, "--ca", caFile, "--approve", "maybe"}, io.Discard, io.Discard); rc != 1 {
		t.Fatalf("bad knob accepted: rc %d", rc)
	}
	out.Reset()
	if rc := run([]string{"pushes", "--server", origin, "--ca", caFile}, &out, io.Discard); rc != 0 ||
		!strings.Contains(out.String(), "approved") || !strings.Contains(out.String(), "denied") {
		t.Fatalf("pushes rc %d:\n%s", rc, out.String())
	}
}

// devClient is the portal's side: the dev client certificate from the same PKI directory.
func devClient(t *testing.T, dir string) *http.Client {
	t.Helper()
	demo, err := pki.LoadDemo(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := demo.PKI.IssueClient(pscsim.DevClientID)
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, err := os.ReadFile(filepath.Join(dir, pki.RootFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(rootPEM)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}}}
}

func push(t *testing.T, hc *http.Client, issuer, nationalID, code string) string {
	t.Helper()
	resp, err := hc.PostForm(issuer+pscsim.ProtocolPath+"/ext/ciba/auth", url.Values{
		"client_id": {pscsim.DevClientID}, "scope": {"openid scope_all"}, "login_hint": {nationalID},
		"binding_message": {code}, "channel": {"MOBILE"}, "acr_values": {"eidas1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("ciba: %d %s", resp.StatusCode, body)
	}
	var a struct {
		AuthReqID string `json:"auth_req_id"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.AuthReqID == "" {
		t.Fatalf("ciba answer %s: %v", body, err)
	}
	return a.AuthReqID
}

func poll(t *testing.T, hc *http.Client, issuer, id string) int {
	t.Helper()
	resp, err := hc.PostForm(issuer+pscsim.ProtocolPath+"/token", url.Values{
		"client_id": {pscsim.DevClientID}, "grant_type": {pscsim.GrantCIBA}, "auth_req_id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
