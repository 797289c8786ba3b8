package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// queueOnly stands for the portal's real senders: the admin process only queues; the serving
// portal's delivery worker sends (it claims every pending job of the shared queue).
type queueOnly struct{}

func (queueOnly) Send(context.Context, notify.Envelope) error {
	return errors.New("admin: delivery is the serving portal's job")
}

func userEnrol(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	var f userForm
	fs := f.flags("user enrol")
	show := fs.Bool("show", false, "")
	if err := fs.Parse(a); err != nil {
		return err
	}
	u := &f.u
	mail, err := ident.NormalizeEmail(u.Email)
	if err != nil || u.GivenName == "" || u.FamilyName == "" || (f.entity == "") != (f.label == "") {
		return fmt.Errorf("--given, --family and a valid --email are required; --entity and --profile go together")
	}
	u.Email, u.Habilitation = mail, true
	u.Identifiant, err = ident.Make(u.GivenName, u.FamilyName, func(id string) (bool, error) {
		_, found, err := st.ByIdentifiant(ctx, id)
		return found, err
	})
	if err != nil {
		return err
	}
	pw, err := provisionalPassword()
	if err != nil {
		return err
	}
	h, err := password.NewHasher(password.DefaultParams, 1)
	if err != nil {
		return err
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return err
	}
	if err := f.add(ctx, st); err != nil {
		return err
	}
	if _, err := st.SetPassword(ctx, u.ID, store.NewPassword{Hash: hash, MustChange: true},
		store.AuditEntry{Event: store.AuditEnrol, Subject: u.Identifiant, Detail: "provisional password"}); err != nil {
		return err
	}
	// The provisional password goes to this mailbox: it is the account's first OTP channel.
	if err := st.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: mail}, "",
		store.AuditEntry{Event: store.AuditChannelSet, Detail: "enrolment e-mail"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "user %s enrolled, id %s\n", u.Identifiant, u.ID)
	if *show {
		fmt.Fprintf(out, "provisional password (shown once, must be changed at first sign-in): %s\n", pw)
		return nil
	}
	n := notify.New(st.NotifyQueue(), map[string]notify.Sender{api.ChannelEmail: queueOnly{}}, notify.Config{}, nil)
	job, err := n.Send(ctx, notify.Message{Channel: api.ChannelEmail, To: mail, Template: notify.TmplProvisionalPassword,
		Data: notify.Data{Identifiant: u.Identifiant, Password: string(pw)}})
	if err != nil {
		return fmt.Errorf("queue the provisional password: %w", err)
	}
	fmt.Fprintf(out, "provisional password queued for %s (job %s): the running portal sends it\n", otp.MaskEmail(mail), job)
	return nil
}

// provisionalPassword is 16 random characters with a lower, an upper, a digit and one of
// password.NormSpecials, so that it passes both presets.
func provisionalPassword() ([]byte, error) {
	sets := []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", password.NormSpecials}
	all := sets[0] + sets[1] + sets[2] + sets[3]
	pick := func(s string) (byte, error) {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(s))))
		if err != nil {
			return 0, err
		}
		return s[n.Int64()], nil
	}
	for {
		pw := make([]byte, 16)
		for i := range pw {
			set := all
			if i < len(sets) {
				set = sets[i]
			}
			c, err := pick(set)
			if err != nil {
				return nil, err
			}
			pw[i] = c
		}
		for i := len(pw) - 1; i > 0; i-- { // shuffle so the classes are not in fixed places
			j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			pw[i], pw[j.Int64()] = pw[j.Int64()], pw[i]
		}
		if len(password.Sante().Check(pw, password.CheckContext{})) == 0 {
			return pw, nil
		}
	}
}

func userUnlock(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	u, err := argUser(ctx, st, a, 1)
	if err != nil {
		return err
	}
	if err := st.Unlock(ctx, u.ID, store.AuditEntry{Event: store.AuditUnlock,
		UserID: u.ID, Subject: u.Identifiant, Detail: "admin"}); err != nil {
		return err
	}
	fmt.Fprintln(out, "user", u.Identifiant, "unlocked")
	return nil
}

func userHabilitation(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	if len(a) == 2 && a[1] != "on" && a[1] != "off" {
		return fmt.Errorf("want on or off, got %q", a[1])
	}
	u, err := argUser(ctx, st, a, 2)
	if err != nil {
		return err
	}
	if err := st.SetHabilitation(ctx, u.ID, a[1] == "on", store.AuditEntry{Event: store.AuditHabilitation,
		Subject: u.Identifiant, Detail: a[1]}); err != nil {
		return err
	}
	fmt.Fprintln(out, "user", u.Identifiant, "habilitation", a[1])
	return nil
}

func outboxList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	fs := flags("outbox list")
	to := fs.String("to", "", "")
	n := fs.Int("n", 20, "")
	if err := fs.Parse(a); err != nil {
		return err
	}
	msgs, err := st.DevOutbox().List(ctx, *to, *n)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		e := m.Envelope
		fmt.Fprintf(out, "--- %s %s to %s (%s)\n", m.At.Local().Format(time.DateTime), e.Channel, e.To, e.Template)
		if e.Subject != "" {
			fmt.Fprintln(out, "Subject:", e.Subject)
		}
		fmt.Fprintln(out, e.Body)
	}
	return nil
}
