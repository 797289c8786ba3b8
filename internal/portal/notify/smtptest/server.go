// Package smtptest runs a real SMTP server on loopback for tests: EHLO, STARTTLS with a
// self-signed certificate, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records every
// accepted message and can be told to fail, so that delivery code is tested over a real
// socket and a real TLS handshake. The portal's end-to-end tests can use it too:
//
//	srv, err := smtptest.Start(smtptest.Options{Username: "portal", Password: "secret"})
//	defer srv.Close()
//	sender, _ := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), TLS: srv.ClientTLS(), …})
//	msgs := srv.Messages()
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"
	"sync"
)

// Options tune the server.
type Options struct {
	Username, Password string // AUTH PLAIN credentials; empty means AUTH is not offered
	// AllowPlaintext lets clients authenticate and send without STARTTLS (off: AUTH and MAIL
	// answer 530 until STARTTLS, as a submission server should).
	AllowPlaintext bool
	NoSTARTTLS     bool // do not offer STARTTLS at all
	// FailTransient makes the first n DATA transactions end with 451 (then accept).
	FailTransient int
	// RejectRcpt makes RCPT TO answer 550 for every recipient.
	RejectRcpt bool
}

// Message is one accepted message.
type Message struct {
	From     string
	To       []string
	Data     []byte // as received, dot-unstuffed, CRLF line ends
	AuthUser string
	TLS      bool
}

// Server is a running SMTP server.
type Server struct {
	opts   Options
	ln     net.Listener
	tlsCfg *tls.Config
	pool   *x509.CertPool

	mu        sync.Mutex
	msgs      []Message
	transient int
	conns     sync.WaitGroup
}

// Start listens on 127.0.0.1 on a free port.
func Start(opts Options) (*Server, error) {
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, ln: ln, pool: pool, transient: opts.FailTransient,
		tlsCfg: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go s.serve()
	return s, nil
}

// Addr returns host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// ClientTLS returns a client configuration trusting the server's certificate.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Messages returns a copy of the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Close stops listening and waits for open sessions to end.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.conns.Wait()
	return err
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.conns.Add(1)
		go func() {
			defer s.conns.Done()
			defer c.Close()
			sess := &session{srv: s, conn: c}
			sess.reset(c)
			sess.run()
		}()
	}
}

// takeTransient reports whether this DATA must fail with 451.
func (s *Server) takeTransient() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.transient > 0 {
		s.transient--
		return true
	}
	return false
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
}

// session is the state of one connection.
type session struct {
	srv   *Server
	conn  net.Conn
	tp    *textproto.Conn
	tls   bool
	user  string
	from  string
	to    []string
	hello bool
}

func (ss *session) reset(c net.Conn) {
	ss.conn = c
	ss.tp = textproto.NewConn(c)
}
