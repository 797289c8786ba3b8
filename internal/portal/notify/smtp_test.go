package notify

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify/smtptest"
)

func startSMTP(t *testing.T, o smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(o)
	if err != nil {
		t.Fatalf("start loopback SMTP server: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func smtpSender(t *testing.T, srv *smtptest.Server, user, pass string) *SMTPSender {
	t.Helper()
	s, err := NewSMTPSender(SMTPConfig{Addr: srv.Addr(), From: "portail@samu.example", Username: user, Password: pass, TLS: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func otpMail(to string) Message {
	return Message{Channel: api.ChannelEmail, To: to, Template: TmplOTPCode, Data: Data{Code: "482913", Minutes: 5}}
}

func TestSMTPDeliveryStartTLSAuth(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "portal", Password: "s3cret"})
	r := newRig(map[string]Sender{api.ChannelEmail: smtpSender(t, srv, "portal", "s3cret")}, 5)
	id, err := r.n.Send(context.Background(), otpMail("jean.dupont@exemple.fr"))
	if err != nil {
		t.Fatal(err)
	}
	rep := r.drain(t, id)
	if rep.Status != StatusDelivered || rep.Attempts != 1 {
		t.Fatalf("report %+v", rep)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].AuthUser != "portal" || msgs[0].To[0] != "jean.dupont@exemple.fr" {
		t.Fatalf("messages %+v", msgs)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if subj != "Votre code de connexion SI-SAMU" || !strings.Contains(string(body), "Votre code de connexion SI-SAMU : 482913. Il est valable 5 minutes.") {
		t.Fatalf("subject %q body %q", subj, body)
	}
	// Nothing secret in the logs or left in the queue.
	logs := r.log.String()
	if strings.Contains(logs, "482913") || strings.Contains(logs, "jean.dupont@") || !strings.Contains(logs, "j•••@exemple.fr") {
		t.Fatalf("logs leak or lack the masked recipient:\n%s", logs)
	}
	if j, _ := r.q.Get(context.Background(), id); j.Envelope.Body != "" {
		t.Fatal("body kept in the queue after delivery")
	}
}

func TestSMTPTransientThenDelivered(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "portal", Password: "s3cret", FailTransient: 2})
	r := newRig(map[string]Sender{api.ChannelEmail: smtpSender(t, srv, "portal", "s3cret")}, 5)
	id, _ := r.n.Send(context.Background(), otpMail("a@exemple.fr"))
	rep := r.drain(t, id)
	if rep.Status != StatusDelivered || rep.Attempts != 3 || len(srv.Messages()) != 1 {
		t.Fatalf("report %+v, %d messages", rep, len(srv.Messages()))
	}
}

func TestSMTPPermanentFailures(t *testing.T) {
	cases := map[string]struct {
		opts       smtptest.Options
		user, pass string
		reason     string
	}{
		"recipient refused": {smtptest.Options{Username: "portal", Password: "s3cret", RejectRcpt: true}, "portal", "s3cret", "550"},
		"wrong password":    {smtptest.Options{Username: "portal", Password: "s3cret"}, "portal", "wrong", "535"},
		"no STARTTLS":       {smtptest.Options{NoSTARTTLS: true, AllowPlaintext: true}, "", "", "does not offer STARTTLS"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := startSMTP(t, c.opts)
			r := newRig(map[string]Sender{api.ChannelEmail: smtpSender(t, srv, c.user, c.pass)}, 5)
			id, _ := r.n.Send(context.Background(), otpMail("a@exemple.fr"))
			rep := r.drain(t, id)
			if rep.Status != StatusFailed || rep.Attempts != 1 || !strings.Contains(rep.Reason, c.reason) {
				t.Fatalf("report %+v", rep)
			}
			if strings.Contains(rep.Reason, "482913") || (c.pass != "" && strings.Contains(rep.Reason, c.pass)) {
				t.Fatal("reason leaks a secret")
			}
			if len(srv.Messages()) != 0 {
				t.Fatal("message accepted")
			}
		})
	}
}

func TestSMTPUntrustedCertificate(t *testing.T) {
	srv := startSMTP(t, smtptest.Options{Username: "portal", Password: "s3cret"})
	s, err := NewSMTPSender(SMTPConfig{Addr: srv.Addr(), From: "p@samu.example", Username: "portal", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), Envelope{Channel: api.ChannelEmail, To: "a@exemple.fr", Subject: "s", Body: "b"})
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("self-signed certificate accepted or misreported: %v", err)
	}
}

func TestSMTPPlaintextOnlyOnLoopback(t *testing.T) {
	if _, err := NewSMTPSender(SMTPConfig{Addr: "smtp.example.org:25", From: "p@x.fr", NoTLS: true}); err == nil {
		t.Fatal("NoTLS accepted for a remote relay")
	}
	srv := startSMTP(t, smtptest.Options{NoSTARTTLS: true, AllowPlaintext: true})
	s, err := NewSMTPSender(SMTPConfig{Addr: srv.Addr(), From: "p@samu.example", NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Envelope{To: "a@exemple.fr", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(); len(m) != 1 || m[0].TLS {
		t.Fatalf("messages %+v", m)
	}
	if err := s.Send(context.Background(), Envelope{To: "Jean <a@exemple.fr>\r\nBcc: x@y.fr", Body: "b"}); !IsPermanent(err) {
		t.Fatalf("header injection in recipient: %v", err)
	}
}
