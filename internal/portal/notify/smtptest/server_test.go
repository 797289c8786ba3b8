package smtptest

import (
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
)

func TestRefusesAuthBeforeSTARTTLS(t *testing.T) {
	srv, err := Start(Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	id, _ := c.Cmd("EHLO test")
	c.StartResponse(id)
	_, msg, err := c.ReadResponse(250)
	c.EndResponse(id)
	if err != nil || !strings.Contains(msg, "STARTTLS") || strings.Contains(msg, "AUTH") {
		t.Fatalf("EHLO before TLS: %q, %v", msg, err)
	}
	id, _ = c.Cmd("MAIL FROM:<a@b.fr>")
	c.StartResponse(id)
	_, _, err = c.ReadResponse(250)
	c.EndResponse(id)
	if te, ok := err.(*textproto.Error); !ok || te.Code != 530 {
		t.Fatalf("MAIL before STARTTLS: %v", err)
	}
}

func TestSendMailOverSTARTTLS(t *testing.T) {
	srv, err := Start(Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(srv.ClientTLS()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "p", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("a@b.fr"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("c@d.fr"); err != nil {
		t.Fatal(err)
	}
	w, _ := c.Data()
	w.Write([]byte("Subject: x\r\n\r\n.dot\r\nhello\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	m := srv.Messages()
	if len(m) != 1 || !m[0].TLS || m[0].AuthUser != "u" || m[0].From != "a@b.fr" || !strings.Contains(string(m[0].Data), "\r\n.dot\r\nhello") {
		t.Fatalf("messages %+v", m)
	}
}
