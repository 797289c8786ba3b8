package smtptest

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"strings"
)

func (ss *session) reply(code int, msg string) { _ = ss.tp.PrintfLine("%d %s", code, msg) }

func (ss *session) run() {
	ss.reply(220, "127.0.0.1 smtptest ESMTP")
	for {
		line, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ss.ehlo()
		case "STARTTLS":
			if !ss.startTLS() {
				return
			}
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			ss.mail(arg)
		case "RCPT":
			ss.rcpt(arg)
		case "DATA":
			if !ss.data() {
				return
			}
		case "RSET":
			ss.from, ss.to = "", nil
			ss.reply(250, "OK")
		case "NOOP":
			ss.reply(250, "OK")
		case "QUIT":
			ss.reply(221, "bye")
			return
		default:
			ss.reply(502, "command not implemented")
		}
	}
}

func (ss *session) ehlo() {
	ss.hello = true
	ss.from, ss.to = "", nil
	o := ss.srv.opts
	lines := []string{"127.0.0.1 greets you"}
	if !ss.tls && !o.NoSTARTTLS {
		lines = append(lines, "STARTTLS")
	}
	if o.Username != "" && (ss.tls || o.AllowPlaintext) {
		lines = append(lines, "AUTH PLAIN")
	}
	lines = append(lines, "8BITMIME")
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		_ = ss.tp.PrintfLine("250%s%s", sep, l)
	}
}

func (ss *session) startTLS() bool {
	if ss.tls || ss.srv.opts.NoSTARTTLS {
		ss.reply(503, "TLS not available")
		return true
	}
	ss.reply(220, "ready to start TLS")
	tc := tls.Server(ss.conn, ss.srv.tlsCfg)
	if err := tc.Handshake(); err != nil {
		return false
	}
	ss.reset(tc)
	ss.tls, ss.hello, ss.user, ss.from, ss.to = true, false, "", "", nil
	return true
}

func (ss *session) mayProceed() bool {
	o := ss.srv.opts
	if !ss.tls && !o.AllowPlaintext && !o.NoSTARTTLS {
		ss.reply(530, "must issue STARTTLS first")
		return false
	}
	return true
}

func (ss *session) auth(arg string) {
	o := ss.srv.opts
	mech, resp, _ := strings.Cut(arg, " ")
	switch {
	case o.Username == "" || !strings.EqualFold(mech, "PLAIN"):
		ss.reply(504, "unrecognized authentication type")
		return
	case !ss.mayProceed():
		return
	case ss.user != "":
		ss.reply(503, "already authenticated")
		return
	}
	if resp == "" {
		ss.reply(334, "")
		l, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		resp = l
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	parts := bytes.Split(raw, []byte{0})
	if err != nil || len(parts) != 3 || string(parts[1]) != o.Username || string(parts[2]) != o.Password {
		ss.reply(535, "authentication credentials invalid")
		return
	}
	ss.user = o.Username
	ss.reply(235, "authentication successful")
}

func (ss *session) mail(arg string) {
	if !ss.hello {
		ss.reply(503, "send EHLO first")
		return
	}
	if !ss.mayProceed() {
		return
	}
	if ss.srv.opts.Username != "" && ss.user == "" {
		ss.reply(530, "authentication required")
		return
	}
	addr, ok := path(arg, "FROM:")
	if !ok {
		ss.reply(501, "syntax: MAIL FROM:<address>")
		return
	}
	ss.from, ss.to = addr, nil
	ss.reply(250, "OK")
}

func (ss *session) rcpt(arg string) {
	addr, ok := path(arg, "TO:")
	switch {
	case ss.from == "":
		ss.reply(503, "need MAIL first")
	case !ok || addr == "":
		ss.reply(501, "syntax: RCPT TO:<address>")
	case ss.srv.opts.RejectRcpt:
		ss.reply(550, "mailbox unavailable")
	default:
		ss.to = append(ss.to, addr)
		ss.reply(250, "OK")
	}
}

func (ss *session) data() bool {
	if ss.from == "" || len(ss.to) == 0 {
		ss.reply(503, "need MAIL and RCPT first")
		return true
	}
	ss.reply(354, "end data with <CR><LF>.<CR><LF>")
	b, err := ss.tp.ReadDotBytes()
	if err != nil {
		return false
	}
	if ss.srv.takeTransient() {
		ss.reply(451, "temporary failure, try again later")
	} else {
		data := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		ss.srv.record(Message{From: ss.from, To: ss.to, Data: data, AuthUser: ss.user, TLS: ss.tls})
		ss.reply(250, "OK queued")
	}
	ss.from, ss.to = "", nil
	return true
}

// path extracts the address of "FROM:<a@b> SIZE=…" style arguments.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}
