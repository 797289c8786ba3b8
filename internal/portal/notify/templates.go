package notify

import (
	"bytes"
	"errors"
	"fmt"
	"text/template"
)

// Template names.
const (
	TmplOTPCode             = "otp_code"
	TmplPasswordChanged     = "password_changed"
	TmplRecoveryLink        = "recovery_link"
	TmplIdentifiantReminder = "identifiant_reminder"
	TmplProvisionalPassword = "provisional_password"
)

// Data fills templates. Which fields a template needs is checked by Render.
type Data struct {
	Service     string // product name shown to users; "SI-SAMU" when empty
	Code        string // one-time code
	Minutes     int    // validity of a code or link
	Identifiant string
	Link        string // recovery URL
	Password    string // provisional password
	Support     string // how to reach the support, e.g. "0 800 00 00 00"
}

// Rendered is a message ready to send: Subject and Body for e-mail, SMS for text messages
// (empty when the template has no SMS form).
type Rendered struct {
	Subject string
	Body    string
	SMS     string
}

// ErrTemplate means an unknown template or language, or missing data.
var ErrTemplate = errors.New("notify: template")

type tmpl struct {
	need    []string // Data fields that must be set
	subject string
	body    string
	sms     string
}

// Render fills template name in lang ("fr", the default, or "en").
func Render(name, lang string, d Data) (Rendered, error) {
	if lang == "" {
		lang = "fr"
	}
	t, ok := catalogue[name][lang]
	if !ok {
		return Rendered{}, fmt.Errorf("%w: no %q template in %q", ErrTemplate, name, lang)
	}
	if err := checkNeeds(name, t.need, d); err != nil {
		return Rendered{}, err
	}
	if d.Service == "" {
		d.Service = "SI-SAMU"
	}
	var r Rendered
	for _, p := range []struct {
		src string
		dst *string
	}{{t.subject, &r.Subject}, {t.body, &r.Body}, {t.sms, &r.SMS}} {
		if p.src == "" {
			continue
		}
		tt, err := template.New(name).Option("missingkey=error").Parse(p.src)
		if err != nil {
			return Rendered{}, fmt.Errorf("%w: %s: %w", ErrTemplate, name, err)
		}
		var b bytes.Buffer
		if err := tt.Execute(&b, d); err != nil {
			return Rendered{}, fmt.Errorf("%w: %s: %w", ErrTemplate, name, err)
		}
		*p.dst = b.String()
	}
	return r, nil
}

func checkNeeds(name string, need []string, d Data) error {
	for _, f := range need {
		missing := false
		switch f {
		case "Code":
			missing = d.Code == ""
		case "Minutes":
			missing = d.Minutes <= 0
		case "Identifiant":
			missing = d.Identifiant == ""
		case "Link":
			missing = d.Link == ""
		case "Password":
			missing = d.Password == ""
		}
		if missing {
			return fmt.Errorf("%w: %s needs %s", ErrTemplate, name, f)
		}
	}
	return nil
}
