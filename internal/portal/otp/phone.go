package otp

import (
	"fmt"
	"strings"
)

// PhoneOptions tunes ParsePhone.
type PhoneOptions struct {
	// AllowForeign accepts E.164 numbers outside +33 (any range: their mobile plans are not
	// checked). Off by default: the SMS gateway is assumed to reach French mobiles only.
	AllowForeign bool
}

// ParsePhone returns a mobile number in E.164 ("+33612345678"). It accepts the French
// spellings "0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
// "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78" and "0033 6 12 34 56 78". A French number must
// be a mobile (06 or 07). Errors wrap ErrChannel.
func ParsePhone(s string, opt PhoneOptions) (string, error) {
	digits, plus, err := phoneDigits(s)
	if err != nil {
		return "", err
	}
	switch {
	case plus:
	case strings.HasPrefix(digits, "00"):
		digits = digits[2:]
	case len(digits) == 10 && digits[0] == '0':
		digits = "33" + digits[1:]
	default:
		return "", fmt.Errorf("%w: not a French or international number", ErrChannel)
	}
	if strings.HasPrefix(digits, "330") && len(digits) == 12 { // "+33 (0)6…"
		digits = "33" + digits[3:]
	}
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", fmt.Errorf("%w: not an E.164 number", ErrChannel)
	}
	if strings.HasPrefix(digits, "33") {
		if len(digits) != 11 || (digits[2] != '6' && digits[2] != '7') {
			return "", fmt.Errorf("%w: not a French mobile number (06 or 07)", ErrChannel)
		}
	} else if !opt.AllowForeign {
		return "", fmt.Errorf("%w: only French mobile numbers are accepted", ErrChannel)
	}
	return "+" + digits, nil
}

// phoneDigits strips the usual separators and returns the digits and whether the number
// started with "+".
func phoneDigits(s string) (string, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return "", false, fmt.Errorf("%w: empty or too long number", ErrChannel)
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0' || r == '\u202f':
		default:
			return "", false, fmt.Errorf("%w: unexpected character in number", ErrChannel)
		}
	}
	return b.String(), plus, nil
}

// MaskPhone renders an E.164 number for display: "+33612345678" → "06 •• •• •• 78",
// "+447911123456" → "+44 ••• 56". Anything else gives "••".
func MaskPhone(e164 string) string {
	d := strings.TrimPrefix(e164, "+")
	if len(d) < 8 || len(d) == len(e164) {
		return "••"
	}
	if strings.HasPrefix(d, "33") && len(d) == 11 {
		return "0" + d[2:3] + " •• •• •• " + d[9:]
	}
	return "+" + d[:2] + " ••• " + d[len(d)-2:]
}
