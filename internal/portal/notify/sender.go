package notify

import (
	"context"
	"errors"
)

// Envelope is one message as a Sender sends it. To is a normalised address: an e-mail
// address for e-mail, an E.164 number for SMS.
type Envelope struct {
	Channel  string // api.ChannelEmail or api.ChannelSMS
	To       string
	Template string // for logs and the outbox
	Subject  string // e-mail only
	Body     string // e-mail body, or the SMS text
}

// Sender delivers envelopes of one channel. An error wrapped by Permanent is not retried.
type Sender interface {
	Send(ctx context.Context, e Envelope) error
}

// PermanentError marks a failure that retrying cannot fix (address refused, bad request,
// server without STARTTLS).
type PermanentError struct{ Err error }

func (p *PermanentError) Error() string { return p.Err.Error() }

// Unwrap returns the underlying error.
func (p *PermanentError) Unwrap() error { return p.Err }

// Permanent wraps err so that the Notifier fails the job at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err is marked Permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
