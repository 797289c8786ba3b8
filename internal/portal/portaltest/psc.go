package portaltest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/psc"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// StaffID is a national id of the staff-card shape (with a slash) that PSCRig adds to the
// simulator's users and enrols.
const StaffID = "500000001815646/CPAT00045"

// PSCRig is a portal whose Pro Santé Connect client talks to a real cpx-pscsim on loopback
// HTTPS, authenticated by tls_client_auth with a client certificate of the same test PKI.
type PSCRig struct {
	*Portal
	Sim    *pscsim.Server
	Opts   *server.PSCOptions
	Config config.PSC
	simCfg pscsim.Config
}

// PSCRigOptions tune StartPSC.
type PSCRigOptions struct {
	Sim          pscsim.Config     // Listen, PKI, Clients and Users are filled in
	UserInfoJWT  bool              // the dev client gets userinfo as a signed JWT
	Tune         func(*config.PSC) // the portal's PSC configuration
	NoClientCert bool              // the portal presents no client certificate
}

// StartPSC starts the simulator and a portal of dialect using it (discovery happens at the
// first sign-in), and enrols the demo physician (899700000005) and StaffID.
func StartPSC(t testing.TB, dialect string, o PSCRigOptions) *PSCRig {
	t.Helper()
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	opts := &server.PSCOptions{}
	pt := Start(t, dialect, func(so *server.Options) { so.PSC = opts })
	sc := o.Sim
	sc.Listen, sc.PKI = "127.0.0.1:0", p
	if sc.Interval == 0 {
		sc.Interval = time.Second
	}
	dev := pscsim.DevClient(pt.URL + "/v1/signin/psc/browser/callback")
	dev.UserInfoJWT = o.UserInfoJWT
	sc.Clients = []pscsim.Client{dev}
	sc.Users = append(sc.Users, pscsim.User{Claims: map[string]any{"SubjectNameID": StaffID,
		"given_name": "ALEX", "family_name": "PERMANENT"}})
	if sc.Log == nil {
		sc.Log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	sim, err := pscsim.Start(context.Background(), sc)
	if err != nil {
		t.Fatalf("pscsim: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	sc.Listen = strings.TrimPrefix(sim.Origin(), "https://") // a restart takes the same address
	cfg := config.PSC{Issuer: sim.Issuer(), ClientID: pscsim.DevClientID, ClientCert: "mem", ClientKey: "mem"}.WithDefaults()
	if o.Tune != nil {
		o.Tune(&cfg)
	}
	tc := &tls.Config{RootCAs: sim.RootCAs(), MinVersion: tls.VersionTLS12}
	if !o.NoClientCert {
		cert, err := p.IssueClient(pscsim.DevClientID)
		if err != nil {
			t.Fatal(err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	opts.Client = psc.NewTLS(cfg, tc, "", slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	opts.PublicURL = pt.URL
	pt.Enroll(t, pki.DemoHolders()["cps"])
	pt.Enroll(t, pki.Holder{NationalID: StaffID, GivenName: "ALEX", Surname: "PERMANENT"})
	return &PSCRig{Portal: pt, Sim: sim, Opts: opts, Config: cfg, simCfg: sc}
}

// RestartSim stops the simulator and starts a new one on the same address: same issuer, new
// signing keys (a key rotation, as the portal sees it).
func (r *PSCRig) RestartSim(t testing.TB) {
	t.Helper()
	r.Sim.Close()
	var err error
	for range 50 { // the port is free again at once on Linux; retry briefly anyway
		if r.Sim, err = pscsim.Start(context.Background(), r.simCfg); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pscsim restart: %v", err)
	}
	sim := r.Sim
	t.Cleanup(func() { sim.Close() })
}
