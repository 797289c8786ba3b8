// Command cpx-portal is the service cpx-agent signs in to: card sign-in over mutual TLS,
// sessions, profiles and desk-phone links (see docs/portal.md).
//
//	cpx-portal serve   [--config FILE] [--dev]   serve HTTPS
//	cpx-portal migrate [--config FILE]           apply the database migrations
//	cpx-portal admin   [--config FILE] AREA VERB entities, users, profiles, phones, sessions, audit
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/buildinfo"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// version is the release version (see internal/buildinfo).
var version = buildinfo.Version()

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "migrate":
		return migrate(args[1:], stdout, stderr)
	case "admin":
		return admin(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, buildinfo.For("cpx-portal").String())
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "cpx-portal: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: cpx-portal COMMAND [flags]
  serve    [--config FILE] [--dev]   serve the HTTPS API
  migrate  [--config FILE]           apply the database migrations
  admin    [--config FILE] AREA VERB manage entities, users, profiles, phones, sessions; read the audit
  version
`)
}

// loadConfig parses --config and --dev from fs's args and reads the configuration.
func loadConfig(fs *flag.FlagSet, args []string) (config.Config, []string, error) {
	path := fs.String("config", os.Getenv("CPX_PORTAL_CONFIG"), "configuration file (JSON)")
	dev := fs.Bool("dev", false, "dev mode: demo PKI, entity, phones and users in the data directory")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, nil, err
	}
	env := os.Environ()
	if *dev {
		env = append([]string{"CPX_PORTAL_DEV=true"}, env...)
		if os.Getenv("CPX_PORTAL_DATA_DIR") == "" && *path == "" {
			env = append(env, "CPX_PORTAL_DATA_DIR=.run/portal")
		}
	}
	c, err := config.Load(*path, env)
	return c, fs.Args(), err
}

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(c.LogLevel))); err != nil {
		lvl = slog.LevelInfo
	}
	o := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, o))
	}
	return slog.New(slog.NewJSONHandler(w, o))
}

// openStore opens (creating it if needed) and migrates the configured database.
func openStore(ctx context.Context, c config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, c.DatabaseDSN, c.DataDir)
	if err != nil {
		return nil, err
	}
	return migrated(ctx, st)
}

// openExistingStore opens a database that `migrate` or `serve` made (never creating one), then
// applies pending migrations. A missing one is a French sentence naming it.
func openExistingStore(ctx context.Context, c config.Config) (*store.Store, error) {
	st, err := store.OpenExisting(ctx, c.DatabaseDSN, c.DataDir)
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("aucune base de données du portail : %s n'existe pas ou n'a jamais été initialisée ; "+
			"lancez d'abord « cpx-portal migrate » ou « cpx-portal serve » avec la même configuration, "+
			"ou précisez --config / CPX_PORTAL_DATA_DIR / CPX_PORTAL_DATABASE_DSN (%w)", store.Where(c.DatabaseDSN, c.DataDir), store.ErrNoDatabase)
	}
	if err != nil {
		return nil, err
	}
	return migrated(ctx, st)
}

func migrated(ctx context.Context, st *store.Store) (*store.Store, error) {
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func migrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, _, err := loadConfig(fs, args)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal migrate:", err)
		return 2
	}
	if err := checkDataDirOwner("migrate", c.DataDir, c.DatabaseDSN); err != nil {
		fmt.Fprintln(stderr, "cpx-portal migrate:", err)
		return 1
	}
	ctx := context.Background()
	st, err := store.Open(ctx, c.DatabaseDSN, c.DataDir)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal migrate:", err)
		return 1
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal migrate:", err)
		return 1
	}
	v, _ := st.SchemaVersion(ctx)
	fmt.Fprintf(stdout, "%s %s: applied %v, schema version %d\n", st.Dialect(), store.Where(c.DatabaseDSN, c.DataDir), applied, v)
	return 0
}
