package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SMSConfig configures an HTTP SMS gateway. Body is a template in which {{to}} (E.164) and
// {{text}} are replaced, escaped for ContentType: JSON string content for
// "application/json" (write the quotes in the template: {"to":"{{to}}","text":"{{text}}"}),
// URL query escaping for "application/x-www-form-urlencoded" (to={{to}}&text={{text}}).
type SMSConfig struct {
	URL         string
	Method      string // POST when empty
	ContentType string // application/json when empty
	Body        string
	AuthHeader  string // e.g. "Authorization"; empty for none
	AuthValue   string // e.g. "Bearer …" (from the OS keyring)
	Timeout     time.Duration
	Client      *http.Client // http.DefaultClient's transport when nil
}

// SMSSender posts text messages to an HTTP gateway; any 2xx answer means accepted.
type SMSSender struct{ cfg SMSConfig }

// NewSMSSender checks cfg and returns a sender.
func NewSMSSender(cfg SMSConfig) (*SMSSender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("notify: sms gateway URL %q is not an http(s) URL", cfg.URL)
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.ContentType == "" {
		cfg.ContentType = "application/json"
	}
	if cfg.ContentType != "application/json" && cfg.ContentType != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("notify: sms content type %q: want application/json or application/x-www-form-urlencoded", cfg.ContentType)
	}
	if !strings.Contains(cfg.Body, "{{to}}") || !strings.Contains(cfg.Body, "{{text}}") {
		return nil, fmt.Errorf("notify: sms body template needs {{to}} and {{text}}")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &SMSSender{cfg: cfg}, nil
}

// Send posts one SMS. HTTP 4xx answers (but 408, 425 and 429) are permanent; the error says
// the status only, never the gateway's body, which may echo the text.
func (s *SMSSender) Send(ctx context.Context, e Envelope) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	body := strings.NewReplacer("{{to}}", s.escape(e.To), "{{text}}", s.escape(e.Body)).Replace(s.cfg.Body)
	req, err := http.NewRequestWithContext(ctx, s.cfg.Method, s.cfg.URL, strings.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("notify: sms request: %w", err))
	}
	req.Header.Set("Content-Type", s.cfg.ContentType)
	if s.cfg.AuthHeader != "" {
		req.Header.Set(s.cfg.AuthHeader, s.cfg.AuthValue)
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: sms gateway: %w", redactURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("notify: sms gateway answered HTTP %d", resp.StatusCode)
	switch {
	case resp.StatusCode == 408, resp.StatusCode == 425, resp.StatusCode == 429, resp.StatusCode >= 500:
		return err
	default:
		return Permanent(err)
	}
}

func (s *SMSSender) escape(v string) string {
	if s.cfg.ContentType == "application/json" {
		b, _ := json.Marshal(v) // a string always marshals
		return string(b[1 : len(b)-1])
	}
	return url.QueryEscape(v)
}

// redactURL drops the URL from a transport error: a gateway URL may carry a key.
func redactURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
