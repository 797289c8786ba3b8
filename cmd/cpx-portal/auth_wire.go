package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"crypto/tls"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/config"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// authOptions builds password + OTP sign-in from the configuration and starts its delivery
// worker (until ctx ends). In dev mode without an SMTP relay, messages go to the dev outbox;
// outside dev mode without a relay, it is off (nil).
// passwordPolicy is the configuration's password preset.
func passwordPolicy(c config.Config) (password.Policy, error) {
	pol, ok := password.Preset(c.PasswordRules)
	if !ok {
		return password.Policy{}, fmt.Errorf("password_policy %q: want sante or norm", c.PasswordRules)
	}
	return pol, nil
}

// passwordConfig is the password policy, expiry and lockout of the configuration.
func passwordConfig(c config.Config, a config.Auth) (password.Config, error) {
	pol, err := passwordPolicy(c)
	if err != nil {
		return password.Config{}, err
	}
	return password.Config{Params: password.DefaultParams, Policy: pol,
		MaxAge: time.Duration(c.PasswordAge) * 24 * time.Hour,
		Lockout: password.Lockout{MaxFailures: a.LockoutFailures, LockFor: a.LockoutFor.D(),
			MaxLockFor: a.LockoutMaxFor.D(), PermanentAfter: a.LockoutPermanentAfter}}, nil
}

func authOptions(ctx context.Context, c config.Config, st *store.Store, log *slog.Logger) (*server.AuthOptions, error) {
	a := c.Auth.WithDefaults()
	if c.Dev && a.SMTP.Addr == "" {
		a.Outbox = true
	}
	if !c.Dev && a.SMTP.Addr == "" && !a.Outbox {
		log.Warn("password + OTP sign-in is off: no auth.smtp relay configured")
		return nil, nil
	}
	if err := a.Validate(c.Dev); err != nil {
		return nil, err
	}
	key, err := loadAuthKey(a.KeyFile, c.DataDir, c.Dev)
	if err != nil {
		return nil, err
	}
	pw, err := passwordConfig(c, a)
	if err != nil {
		return nil, err
	}
	senders, err := authSenders(a, st)
	if err != nil {
		return nil, err
	}
	o, err := server.NewAuthOptions(server.AuthSetup{Store: st, Password: pw, Key: key, Senders: senders, Log: log,
		OTP: otp.Config{Digits: 6, TTL: a.OTPTTL.D(), MaxTries: a.OTPMaxTries, ResendAfter: a.OTPResendAfter.D(),
			MaxSends: a.OTPMaxSends}})
	if err != nil {
		return nil, err
	}
	o.Phone = otp.PhoneOptions{AllowForeign: a.ForeignPhone}
	o.DeliveryWait, o.DeviceTTL, o.LinkTTL = a.DeliveryWait.D(), a.RememberFor.D(), a.LinkTTL.D()
	o.LinkURL, o.Service, o.Support = a.LinkURL, a.Service, a.Support
	o.CodesPerHour = a.CodesPerHour
	if o.LinkURL == "" {
		o.LinkURL = server.ResetLinkPrefix(listenURL(c.Listen))
		log.Warn("auth.link_url is not set: e-mailed recovery links name the listen address", "link_url", o.LinkURL)
	}
	if err := o.Check(); err != nil {
		return nil, err
	}
	if a.RateLimit > 0 {
		o.RateLimit = server.RateLimit{PerSecond: a.RateLimit, Burst: a.RateBurst}
	} else {
		log.Warn("auth.rate_limit is off: password, OTP and recovery routes are not throttled")
	}
	go o.Notifier.Run(ctx)
	if c.Dev {
		if err := devOTPAccount(ctx, st, o); err != nil {
			return nil, fmt.Errorf("dev otp account: %w", err)
		}
	}
	if a.Outbox {
		log.Warn("DEV OUTBOX: messages are kept in the database, not sent; see `cpx-portal admin outbox list`")
	}
	return o, nil
}

// authSenders are the outbox in dev, else SMTP and (when configured) the SMS gateway.
func authSenders(a config.Auth, st *store.Store) (map[string]notify.Sender, error) {
	if a.Outbox {
		return map[string]notify.Sender{api.ChannelEmail: st.DevOutbox(), api.ChannelSMS: st.DevOutbox()}, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if host, _, ok := strings.Cut(a.SMTP.Addr, ":"); ok {
		tc.ServerName = host
	}
	if a.SMTP.CAFile != "" {
		b, err := os.ReadFile(a.SMTP.CAFile)
		if err != nil {
			return nil, fmt.Errorf("auth.smtp.ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("auth.smtp.ca_file %s: no PEM certificate", a.SMTP.CAFile)
		}
	}
	smtpPW, err := secretFile(a.SMTP.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("auth.smtp.password_file: %w", err)
	}
	mailer, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: a.SMTP.Addr, From: a.SMTP.From,
		Username: a.SMTP.Username, Password: smtpPW, TLS: tc})
	if err != nil {
		return nil, err
	}
	out := map[string]notify.Sender{api.ChannelEmail: mailer}
	if a.SMS.URL != "" {
		val, err := secretFile(a.SMS.AuthValueFile)
		if err != nil {
			return nil, fmt.Errorf("auth.sms.auth_value_file: %w", err)
		}
		texter, err := notify.NewSMSSender(notify.SMSConfig{URL: a.SMS.URL, Body: a.SMS.Body,
			ContentType: a.SMS.ContentType, AuthHeader: a.SMS.AuthHeader, AuthValue: val})
		if err != nil {
			return nil, err
		}
		out[api.ChannelSMS] = texter
	}
	return out, nil
}

func secretFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	return strings.TrimSpace(string(b)), err
}

// loadAuthKey reads the master secret; dev mode creates data_dir/auth.key on first run.
func loadAuthKey(path, dataDir string, dev bool) ([]byte, error) {
	if path == "" {
		path = filepath.Join(dataDir, "auth.key")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && dev {
		b = make([]byte, 32)
		rand.Read(b)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("auth key: %w", err)
		}
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth key: %w", err)
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("auth key %s: %w", path, otp.ErrShortKey)
	}
	return b, nil
}

// Dev-mode password account for trying the OTP sign-in at once (`make run`): its password is
// public (docs/auth.md), like the demo cards' PINs.
const (
	devOTPIdentifiant = "demo.otp"
	devOTPPassword    = "Demo#Otp-2026!"
	devOTPEmail       = "demo.otp@demo.test"
)

func devOTPAccount(ctx context.Context, st *store.Store, o *server.AuthOptions) error {
	u := store.User{Identifiant: devOTPIdentifiant, GivenName: "Demo", FamilyName: "OTP", Email: devOTPEmail, Habilitation: true}
	err := st.AddUser(ctx, &u, []store.Profile{{EntityID: devEntity, Label: "ARM"}})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := o.Hasher.Hash(ctx, []byte(devOTPPassword))
	if err != nil {
		return err
	}
	if _, err := st.SetPassword(ctx, u.ID, store.NewPassword{Hash: h}, store.AuditEntry{Event: store.AuditEnrol, Detail: "dev demo"}); err != nil {
		return err
	}
	ans, err := o.Hasher.Hash(ctx, []byte("demo")) // the answer, folded as the server folds it
	if err != nil {
		return err
	}
	if err := st.SetSecret(ctx, u.ID, api.SecretQuestions[0], ans, store.AuditEntry{Event: store.AuditSecretSet, Detail: "dev demo"}); err != nil {
		return err
	}
	return st.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: devOTPEmail}, "",
		store.AuditEntry{Event: store.AuditChannelSet, Detail: "dev demo"})
}

// listenURL is https:// and the listen address, with this host's name for an unspecified host
// (the default of auth.link_url; set it to the portal's public address).
func listenURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "https://" + listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}
