package otp_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
)

// account is the slice of the users table the sign-in needs.
type account struct {
	id, identifiant, email, hash string
	state                        password.State
	channel                      otp.Channel
}

type directory map[string]*account

func (d directory) ByIdentifiant(_ context.Context, id string) (string, bool, error) {
	for _, a := range d {
		if a.identifiant == id {
			return a.id, true, nil
		}
	}
	return "", false, nil
}

func (d directory) ByEmail(_ context.Context, e string) ([]string, error) {
	var ids []string
	for _, a := range d {
		if a.email == e {
			ids = append(ids, a.id)
		}
	}
	return ids, nil
}

// portal is the integration recipe of the package docs, with maps for tables.
type portal struct {
	dir     directory
	hasher  *password.Hasher
	cfg     password.Config
	otp     *otp.Manager
	notify  *notify.Notifier
	devices []otp.Device
}

// signInPassword is step 1: identifiant (or unique e-mail) + password.
func (p *portal) signInPassword(ctx context.Context, typed, pw string, now time.Time) (*account, *api.Error) {
	id, err := ident.Resolve(ctx, p.dir, typed)
	if errors.Is(err, ident.ErrNotFound) {
		_ = p.hasher.VerifyDummy(ctx, []byte(pw)) // same cost as a wrong password
		return nil, password.ResultError(password.Result{Outcome: password.Failed}, now, true)
	}
	a := p.dir[id]
	if r := p.cfg.Lockout.Check(a.state, now); r.Outcome == password.Locked {
		return nil, password.ResultError(r, now, true)
	}
	ok, err := p.hasher.Verify(ctx, []byte(pw), a.hash)
	if err != nil {
		return nil, &api.Error{Code: api.CodeInternal}
	}
	st, r := p.cfg.Lockout.Decide(a.state, now, ok)
	a.state = st
	if r.Outcome != password.Accepted {
		return nil, password.ResultError(r, now, true)
	}
	return a, nil
}

// sendCode is step 2: issue a challenge and hand the code to the notifier.
func (p *portal) sendCode(ctx context.Context, a *account, now time.Time) (otp.Challenge, notify.Report) {
	c, code, err := p.otp.Issue(a.channel, now)
	if err != nil {
		panic(err)
	}
	id, err := p.notify.Send(ctx, notify.Message{Channel: a.channel.Kind, To: a.channel.Address,
		Template: notify.TmplOTPCode, Data: notify.Data{Code: code, Minutes: 5}})
	if err != nil {
		panic(err)
	}
	rep, _ := p.notify.Wait(ctx, id, 10*time.Second)
	return c, rep
}

func TestPasswordOTPSignInFlow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := smtptest.Start(smtptest.Options{Username: "portal", Password: "relay-secret"})
	if err != nil {
		t.Fatalf("loopback SMTP: %v", err)
	}
	defer srv.Close()
	smtpS, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "portail@samu.example",
		Username: "portal", Password: "relay-secret", TLS: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(notify.NewMemQueue(), map[string]notify.Sender{api.ChannelEmail: smtpS}, notify.Config{}, nil)
	go n.Run(ctx)

	cfg := password.DefaultConfig()
	h, _ := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0)
	m, _ := otp.NewManager([]byte(strings.Repeat("k", 32)), otp.DefaultConfig())
	id, _ := ident.Make("Jean", "Dupont", func(string) (bool, error) { return false, nil })
	hash, _ := h.Hash(ctx, []byte("Rq7#vanille-Bus"))
	ch, _ := otp.ParseChannel(api.ChannelEmail, "Jean.Dupont@Exemple.fr", otp.PhoneOptions{})
	p := &portal{dir: directory{"u1": {id: "u1", identifiant: id, email: ch.Address, hash: hash, channel: ch}},
		hasher: h, cfg: cfg, otp: m, notify: n}
	now := time.Now()

	// Unknown account and wrong password answer alike.
	_, e1 := p.signInPassword(ctx, "paul.martin", "x", now)
	_, e2 := p.signInPassword(ctx, "jean.dupont", "wrong", now)
	if e1.Code != api.CodeCredentials || e1.Message != e2.Message || e1.Details != nil || e2.Details != nil {
		t.Fatalf("unknown %+v vs wrong %+v", e1, e2)
	}

	// Password by e-mail address, then the code by e-mail over STARTTLS.
	a, e := p.signInPassword(ctx, "JEAN.DUPONT@exemple.fr", "Rq7#vanille-Bus", now)
	if e != nil {
		t.Fatalf("sign-in: %+v", e)
	}
	c, rep := p.sendCode(ctx, a, now)
	if rep.Status != notify.StatusDelivered {
		t.Fatalf("code not delivered: %+v", rep)
	}
	code := codeFromMail(t, srv)
	if err := m.Verify(&c, code, now.Add(time.Minute)); err != nil {
		t.Fatalf("code from the mail refused: %v", err)
	}

	// "Remember this workstation": the next sign-in on it skips the code, until another user
	// signs in there.
	tok, dev, _ := otp.NewDevice(a.id, "ws-1", now, 0)
	p.devices = append(p.devices, dev)
	if !p.devices[0].Valid(tok, a.id, "ws-1", now.Add(time.Hour)) {
		t.Fatal("device token refused")
	}
	if !otp.CancelledBy(p.devices[0], "u2", "ws-1") {
		t.Fatal("another user's sign-in does not cancel the device")
	}
}

var codeRE = regexp.MustCompile(`: (\d{6})\. Il est valable 5 minutes`)

func codeFromMail(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "jean.dupont@exemple.fr" || !msgs[0].TLS {
		t.Fatalf("messages %+v", msgs)
	}
	body, err := msgs[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	sub := codeRE.FindStringSubmatch(body)
	if sub == nil {
		t.Fatalf("no code in %q", body)
	}
	return sub[1]
}
