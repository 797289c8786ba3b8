package smtptest

import (
	"strings"
	"testing"
	"time"
)

// TestBodyAndWaitCode: the body is quoted-printable decoded; WaitCode finds the code of the
// n-th message, says when it holds none, and gives up at its limit when it never comes.
func TestBodyAndWaitCode(t *testing.T) {
	s := &Server{}
	msg := "Subject: =?utf-8?q?Code?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Votre code de connexion : 482913. Il est valable 5 minutes, =C3=A0 usage unique.\r\n"
	s.record(Message{Data: []byte(msg)})
	body, err := s.Messages()[0].Body()
	if err != nil || !strings.Contains(body, "à usage unique") {
		t.Fatalf("body %q, %v", body, err)
	}
	if code, err := s.WaitCode(1, time.Second); err != nil || code != "482913" {
		t.Fatalf("code %q, %v", code, err)
	}
	s.record(Message{Data: []byte("Subject: x\r\n\r\nno code here\r\n")})
	if _, err := s.WaitCode(2, time.Second); err == nil || !strings.Contains(err.Error(), "no code") {
		t.Fatalf("message without a code: %v", err)
	}
	t0 := time.Now()
	if _, err := s.WaitCode(3, 50*time.Millisecond); err == nil || time.Since(t0) < 50*time.Millisecond {
		t.Fatalf("missing message: %v after %v", err, time.Since(t0))
	}
}
