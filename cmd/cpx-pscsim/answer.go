package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// apiFlags: where the running simulator is and how to trust it.
func apiFlags(fs *flag.FlagSet) (server, ca *string) {
	server = fs.String("server", "https://"+pscsim.DefaultListen, "adresse du simulateur")
	ca = fs.String("ca", filepath.Join(defaultPKIDir(), pki.RootFile), "certificat racine qui authentifie le simulateur")
	return server, ca
}

func apiClient(caFile string) (*http.Client, error) {
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("%s : aucun certificat PEM", caFile)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

func runAnswer(verb string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(verb, "--code NN | --national-id N | --id AUTH_REQ_ID | --all [--server URL] [--ca FICHIER]", stderr)
	server, ca := apiFlags(fs)
	var sel pscsim.Selector
	fs.StringVar(&sel.Code, "code", "", "code à 2 chiffres affiché sur le poste")
	fs.StringVar(&sel.NationalID, "national-id", "", "identifiant national du porteur")
	fs.StringVar(&sel.AuthReqID, "id", "", "auth_req_id de la demande")
	fs.BoolVar(&sel.All, "all", false, "toutes les demandes en attente")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if sel == (pscsim.Selector{}) {
		fmt.Fprintln(stderr, "cpx-pscsim : précisez --code, --national-id, --id ou --all.")
		return 2
	}
	hc, err := apiClient(*ca)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : certificat racine illisible (%v) : précisez --ca.\n", err)
		return 1
	}
	body, _ := json.Marshal(sel)
	resp, err := hc.Post(*server+"/sim/api/"+verb, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : simulateur injoignable (%v) : est-il démarré ? précisez --server.\n", err)
		return 1
	}
	defer resp.Body.Close()
	var out struct {
		Answered []pscsim.Push `json:"answered"`
		Error    string        `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck // an unreadable answer shows as no push
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "cpx-pscsim : aucune demande en attente ne correspond (%s).\n", out.Error)
		return 1
	}
	word := map[string]string{"approve": "approuvée", "deny": "refusée"}[verb]
	for _, p := range out.Answered {
		fmt.Fprintf(stdout, "Demande %s : code %s, %s (%s)\n", word, p.BindingCode, p.NationalID, p.Channel)
	}
	return 0
}

func runPushes(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("pushes", "[--server URL] [--ca FICHIER] [--json]", stderr)
	server, ca := apiFlags(fs)
	asJSON := fs.Bool("json", false, "sortie JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	hc, err := apiClient(*ca)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : certificat racine illisible (%v) : précisez --ca.\n", err)
		return 1
	}
	resp, err := hc.Get(*server + "/sim/api/pushes")
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : simulateur injoignable (%v) : est-il démarré ? précisez --server.\n", err)
		return 1
	}
	defer resp.Body.Close()
	var pushes []pscsim.Push
	if err := json.NewDecoder(resp.Body).Decode(&pushes); err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : réponse illisible du simulateur (%v).\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(pushes) //nolint:errcheck
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tIDENTIFIANT\tCANAL\tÉTAT\tSCRUTATIONS\tEXPIRE")
	for _, p := range pushes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", p.BindingCode, p.NationalID, p.Channel, p.State, len(p.Polls), p.Expires.Format("15:04:05"))
	}
	tw.Flush()
	return 0
}

// runKnobs shows the running simulator's knobs, or replaces them all when a knob flag is given.
func runKnobs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("knobs", "[réglages] [--server URL] [--ca FICHIER]   (sans réglage : affiche)", stderr)
	server, ca := apiFlags(fs)
	var k pscsim.Knobs
	knobFlags(fs, &k)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	hc, err := apiClient(*ca)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : certificat racine illisible (%v) : précisez --ca.\n", err)
		return 1
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || (f.Name != "server" && f.Name != "ca") })
	method, body := http.MethodGet, []byte(nil)
	if set {
		method, body = http.MethodPut, mustJSON(k)
	}
	req, _ := http.NewRequest(method, *server+"/sim/api/knobs", bytes.NewReader(body))
	resp, err := hc.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : simulateur injoignable (%v) : est-il démarré ? précisez --server.\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "cpx-pscsim : réglages refusés (HTTP %d) : vérifiez les valeurs.\n", resp.StatusCode)
		return 1
	}
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : réponse illisible du simulateur (%v).\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "approve=%q approve-delay=%s slow-down=%d push-expires-in=%s acr=%q no-acr=%t unknown-key=%t audience=%q issuer-claim=%q expired-id-token=%t\n",
		k.Approve, k.ApproveDelay, k.SlowDown, k.ExpiresIn, k.ACR, k.NoACR, k.UnknownKey, k.Audience, k.Issuer, k.ExpiredIDToken)
	return 0
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // Knobs always marshal
	}
	return b
}
