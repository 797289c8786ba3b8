package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cpx-agent/cpx-agent/internal/pscsim"
)

// knobFlags binds the knobs' flags (serve sets them at start, knobs on a running simulator).
func knobFlags(fs *flag.FlagSet, k *pscsim.Knobs) {
	fs.StringVar(&k.Approve, "approve", "", "réponse automatique du téléphone : auto ou deny (vide : manuelle)")
	fs.DurationVar(&k.ApproveDelay, "approve-delay", 0, "délai avant la réponse automatique (ex. 3s)")
	fs.IntVar(&k.SlowDown, "slow-down", 0, "répond slow_down aux N premières scrutations de chaque demande")
	fs.DurationVar(&k.ExpiresIn, "push-expires-in", 0, "validité des nouvelles demandes (remplace --expires-in ; ex. 5s)")
	fs.StringVar(&k.ACR, "acr", "", "acr des jetons d'identité (défaut : celui demandé, sinon eidas1 ; ex. eidas0)")
	fs.BoolVar(&k.NoACR, "no-acr", false, "jetons d'identité sans acr")
	fs.BoolVar(&k.UnknownKey, "unknown-key", false, "signe les jetons avec une clé absente du JWKS")
	fs.StringVar(&k.Audience, "audience", "", "audience (aud) imposée aux jetons d'identité (mauvaise audience)")
	fs.StringVar(&k.Issuer, "issuer-claim", "", "émetteur (iss) imposé aux jetons d'identité (mauvais émetteur)")
	fs.BoolVar(&k.ExpiredIDToken, "expired-id-token", false, "jetons d'identité déjà expirés")
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func serveFlags(stderr io.Writer) (*flag.FlagSet, *pscsim.Config, *serveOpts) {
	fs := newFlagSet("serve", "[options]", stderr)
	cfg := &pscsim.Config{}
	o := &serveOpts{}
	fs.StringVar(&cfg.Listen, "listen", pscsim.DefaultListen, "adresse d'écoute HTTPS (hôte:port)")
	fs.StringVar(&cfg.PKIDir, "pki", defaultPKIDir(), "répertoire de la PKI de test (créée si vide), comme data_dir/pki de cpx-portal")
	fs.StringVar(&o.users, "users", "", "fichier JSON d'utilisateurs (claims PSC) en plus des porteurs de démonstration")
	fs.DurationVar(&cfg.Interval, "interval", pscsim.DefaultInterval, "intervalle de scrutation CIBA demandé aux clients (secondes entières)")
	fs.DurationVar(&cfg.ExpiresIn, "expires-in", pscsim.DefaultExpiresIn, "durée de validité d'une demande CIBA")
	knobFlags(fs, &cfg.Knobs)
	fs.Var(&o.redirects, "redirect-uri", "URI de redirection du client cpx-portal-dev (répétable)")
	fs.BoolVar(&o.userinfoJWT, "userinfo-jwt", false, "userinfo du client cpx-portal-dev en JWT signé (application/jwt)")
	fs.BoolVar(&o.debug, "debug", false, "journal détaillé")
	return fs, cfg, o
}

type serveOpts struct {
	users       string
	redirects   listFlag
	userinfoJWT bool
	debug       bool
}

func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve runs the simulator until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg, o := serveFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	level := slog.LevelInfo
	if o.debug {
		level = slog.LevelDebug
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if o.users != "" {
		users, err := pscsim.LoadUsers(o.users)
		if err != nil {
			fmt.Fprintf(stderr, "cpx-pscsim : fichier d'utilisateurs illisible (%v) : corrigez-le ou retirez --users.\n", err)
			return 1
		}
		cfg.Users = users
	}
	dev := pscsim.DevClient(o.redirects...)
	dev.UserInfoJWT = o.userinfoJWT
	cfg.Clients = []pscsim.Client{dev}
	s, err := pscsim.Start(ctx, *cfg)
	if err != nil {
		fmt.Fprintf(stderr, "cpx-pscsim : démarrage impossible (%v) : vérifiez --listen, --pki et les options.\n", err)
		return 1
	}
	defer s.Close()
	if host, _, _ := net.SplitHostPort(cfg.Listen); !isLoopback(host) {
		fmt.Fprintf(stderr, "Attention : %s n'est pas une adresse de bouclage ; la page du téléphone et l'API du simulateur n'ont pas d'authentification, toute machine qui l'atteint peut approuver.\n", host)
	}
	fmt.Fprintf(stdout, "%s\n", s.Issuer())
	fmt.Fprintf(stderr, "Simulateur Pro Santé Connect prêt.\n  issuer     %s\n  discovery  %s\n  téléphone  %s\n  CA         %s\n  client     %s (tls_client_auth, sujet %q)\nCtrl+C pour arrêter.\n",
		s.Issuer(), s.DiscoveryURL(), s.PhoneURL(), s.CAFile(), pscsim.DevClientID, dev.TLSSubjectDN)
	<-ctx.Done()
	return 0
}
