package main

// newAgentEngine wires the real parts to the flow engine's ports (internal/agent/ports.go):
// the card monitor through cardPort (below), the card's PKCS#11 side through
// internal/cardtoken, the portal client as it is (it speaks the port's api types), the OS
// keyring, the prefs file, the system browser and the doctor diagnostic. cmd_gui.go's
// newEngine calls it and runs the engine.

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/card"
	"github.com/cpx-agent/cpx-agent/internal/cardtoken"
	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/keystore"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// newAgentEngine builds the flow engine on PC/SC, PKCS#11, the portal client, the OS keyring
// and the prefs file. The caller runs Run(ctx), then calls the returned close function.
func newAgentEngine(cfg config.Config, log *slog.Logger) (*agent.Engine, func(), error) {
	var opts client.Options
	if cfg.PortalCA != "" {
		pem, err := os.ReadFile(cfg.PortalCA)
		if err != nil {
			return nil, nil, fmt.Errorf("portal CA bundle: %w", err)
		}
		opts.RootCAs = x509.NewCertPool()
		if !opts.RootCAs.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("portal CA bundle %s: no PEM certificate", cfg.PortalCA)
		}
	}
	pc, err := client.New(cfg.PortalURL, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("portal client: %w", err)
	}
	var prefs agent.Prefs = agent.NewMemoryPrefs()
	if path, err := config.PrefsPath(); err == nil {
		if p, err := config.OpenPrefs(path); err == nil {
			prefs = p
		} else {
			log.Warn("prefs file unusable; last phone and profile kept in memory only", "err", err)
		}
	}
	var modules []string
	if cfg.PKCS11Module != "" {
		modules = token.DefaultModules(cfg.PKCS11Module)
	}
	tokens := cardtoken.New(cardtoken.Options{Modules: modules, Logger: log})
	mon := &cardPort{m: card.NewMonitor(card.Options{Reader: cfg.Reader, Logger: log}), removed: tokens.Drop}
	deps := agent.Deps{
		Cards: mon, Token: tokens, Portal: pc, Keys: keystore.New(), Prefs: prefs,
		Browser: systemBrowser{}, PSC: pc, Logger: log,
	}
	if d, err := newDoctorDiagnoser(); err == nil {
		deps.Diagnoser = d
	} else {
		log.Warn("settings diagnostic unavailable", "err", err)
	}
	e := agent.New(agentConfig(cfg), deps)
	return e, func() { tokens.Close(); pc.Close() }, nil
}

// agentConfig maps the workstation settings onto the engine's policy.
func agentConfig(c config.Config) agent.Config {
	return agent.Config{Workstation: c.Workstation, RemovalPolicy: c.RemovalPolicy,
		OTPChannels: c.OTPChannels, SessionStore: c.SessionStore}
}

// cardPort adapts internal/card's Monitor to agent.CardMonitor.
type cardPort struct {
	m       *card.Monitor
	removed func(reader string) // told first, so a stale PKCS#11 token is dropped
}

func (c *cardPort) Events(ctx context.Context) <-chan agent.CardEvent {
	in := c.m.Events(ctx)
	out := make(chan agent.CardEvent)
	go func() {
		defer close(out)
		for ev := range in {
			ae, ok := cardEvent(ev)
			if !ok {
				continue
			}
			if ae.Kind == agent.CardRemoved || ae.Kind == agent.ReaderRemoved {
				c.removed(ae.Reader)
			}
			select {
			case out <- ae:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// cardEvent maps one monitor event; ServiceUp has no engine meaning (the cards present are
// reported again after it).
func cardEvent(ev card.Event) (agent.CardEvent, bool) {
	ae := agent.CardEvent{Reader: ev.Reader, ATR: ev.ATR, Known: ev.Card.Known, Family: ev.Card.Family,
		Generation: ev.Card.Generation, At: ev.Time}
	switch ev.Kind {
	case card.ReaderAdded:
		ae.Kind = agent.ReaderAdded
	case card.ReaderRemoved:
		ae.Kind = agent.ReaderRemoved
	case card.CardInserted:
		ae.Kind = agent.CardInserted
	case card.CardRemoved:
		ae.Kind = agent.CardRemoved
	case card.ServiceDown:
		ae.Kind = agent.MonitorDown
	default:
		return agent.CardEvent{}, false
	}
	return ae, true
}

// systemBrowser opens a URL with the desktop's handler.
type systemBrowser struct{}

func (systemBrowser) Open(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open browser: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
