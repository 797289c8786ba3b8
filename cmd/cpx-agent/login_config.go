package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/config"
)

// loginConfigSources is where the login commands read the workstation configuration (tests
// swap it for their own files).
var loginConfigSources = config.DefaultSources

// flagKeys binds login flags to the workstation configuration keys they override.
var flagKeys = map[string]string{
	"portal":      config.KeyPortalURL,
	"ca":          config.KeyPortalCA,
	"module":      config.KeyPKCS11Module,
	"reader":      config.KeyReader,
	"workstation": config.KeyWorkstation,
}

// applyWorkstationConfig fills the flags not given on the command line from the workstation
// configuration (system file < user file < CPX_AGENT_* environment, internal/config); flags
// given win. The given flags take part in the validation, so a configuration without
// portal_url is fine when --portal is given.
func applyWorkstationConfig(fs *flag.FlagSet, f *loginCardFlags, stderr io.Writer) error {
	given := map[string]string{}
	fs.Visit(func(fl *flag.Flag) {
		if k, ok := flagKeys[fl.Name]; ok {
			given[k] = fl.Value.String()
		}
	})
	src := loginConfigSources()
	env := src.Env
	if env == nil {
		env = os.LookupEnv
	}
	src.Env = func(name string) (string, bool) {
		for k, v := range given {
			if name == config.EnvPrefix+strings.ToUpper(k) {
				return v, true
			}
		}
		return env(name)
	}
	cfg, err := config.Load(src)
	if err != nil {
		if f.portal != "" {
			fmt.Fprintf(stderr, "Configuration du poste ignorée (%v) : seules les options de la ligne de commande comptent.\n", err)
			if f.workstation == "" {
				f.workstation, _ = os.Hostname()
			}
			return nil
		}
		return fmt.Errorf("configuration du poste : %w", err)
	}
	set := func(p *string, key, v string) {
		if _, ok := given[key]; !ok {
			*p = v
		}
	}
	set(&f.portal, config.KeyPortalURL, cfg.PortalURL)
	set(&f.ca, config.KeyPortalCA, cfg.PortalCA)
	set(&f.module, config.KeyPKCS11Module, cfg.PKCS11Module)
	set(&f.reader, config.KeyReader, cfg.Reader)
	set(&f.workstation, config.KeyWorkstation, cfg.Workstation)
	return nil
}
