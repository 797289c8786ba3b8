package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPConfig configures e-mail delivery.
type SMTPConfig struct {
	Addr     string // host:port of the relay (submission port 587)
	From     string // envelope and header sender, a bare address
	Username string // AUTH PLAIN user; empty disables AUTH
	Password string // AUTH PLAIN password (from the OS keyring, never a config file)
	// TLS configures STARTTLS; nil means the system roots and ServerName = the Addr host.
	TLS *tls.Config
	// NoTLS allows a relay without STARTTLS. Only for a loopback relay in development:
	// NewSMTPSender refuses it for any other host.
	NoTLS     bool
	HelloName string        // EHLO name; "localhost" when empty
	Timeout   time.Duration // whole conversation; 30 s when zero
}

// SMTPSender sends e-mail through an SMTP relay with STARTTLS and AUTH PLAIN.
type SMTPSender struct {
	cfg  SMTPConfig
	host string
}

// NewSMTPSender checks cfg and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp address %q: %w", cfg.Addr, err)
	}
	if a, err := mail.ParseAddress(cfg.From); err != nil || a.Name != "" {
		return nil, fmt.Errorf("notify: smtp sender %q is not a bare address", cfg.From)
	}
	if cfg.NoTLS && !isLoopback(host) {
		return nil, fmt.Errorf("notify: smtp without STARTTLS is only allowed on loopback, not %q", host)
	}
	if cfg.TLS == nil {
		cfg.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPSender{cfg: cfg, host: host}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers one e-mail. SMTP 5xx replies and a relay without STARTTLS are permanent.
func (s *SMTPSender) Send(ctx context.Context, e Envelope) error {
	to, err := mail.ParseAddress(e.To)
	if err != nil || to.Name != "" {
		return Permanent(errors.New("notify: smtp: invalid recipient address"))
	}
	msg, err := s.format(to.Address, e)
	if err != nil {
		return Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("notify: smtp dial: %w", err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return classify("greeting", err)
	}
	defer c.Close()
	if err := s.converse(c, to.Address, msg); err != nil {
		return err
	}
	_ = c.Quit() // the relay accepted the message at the end of DATA; a failed QUIT loses nothing
	return nil
}

func (s *SMTPSender) converse(c *smtp.Client, to string, msg []byte) error {
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return classify("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.cfg.TLS); err != nil {
			return Permanent(fmt.Errorf("notify: smtp STARTTLS: %w", err))
		}
	} else if !s.cfg.NoTLS {
		return Permanent(errors.New("notify: smtp relay does not offer STARTTLS"))
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("end of DATA", err)
	}
	return nil
}

// classify wraps an SMTP error, marking 5xx replies permanent. The error holds the server's
// reply, which never contains the message body.
func classify(step string, err error) error {
	err = fmt.Errorf("notify: smtp %s: %w", step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// format builds an RFC 5322 message: UTF-8 text, quoted-printable, encoded subject.
func (s *SMTPSender) format(to string, e Envelope) ([]byte, error) {
	if strings.ContainsAny(e.Subject, "\r\n") {
		return nil, errors.New("notify: smtp: line break in subject")
	}
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("notify: message id: %w", err)
	}
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", s.cfg.From)
	hdr("To", to)
	hdr("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id)+"@"+s.cfg.HelloName+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
