package smtptest

import (
	"bytes"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"time"
)

// Body is the message's text: its body after the headers, quoted-printable decoded (the
// encoding internal/portal/notify writes).
func (m Message) Body() (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", fmt.Errorf("smtptest: message: %w", err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		return "", fmt.Errorf("smtptest: body: %w", err)
	}
	return string(b), nil
}

// codeRe is a one-time code as the portal's messages carry it: six digits.
var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// WaitCode waits up to limit for the n-th message (1 is the first) and returns the six-digit
// code its body holds.
func (s *Server) WaitCode(n int, limit time.Duration) (string, error) {
	for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		if msgs := s.Messages(); len(msgs) >= n {
			body, err := msgs[n-1].Body()
			if err != nil {
				return "", err
			}
			if m := codeRe.FindStringSubmatch(body); m != nil {
				return m[1], nil
			}
			return "", fmt.Errorf("smtptest: message %d holds no code: %q", n, body)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("smtptest: message %d never arrived", n)
		}
	}
}
