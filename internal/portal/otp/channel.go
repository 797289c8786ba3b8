package otp

import (
	"fmt"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/ident"
)

// Channel is where codes are sent: Kind is api.ChannelSMS or api.ChannelEmail, Address the
// normalised E.164 number or e-mail address.
type Channel struct {
	Kind    string
	Address string
}

// ParseChannel validates and normalises what a user typed for a channel. Errors wrap
// ErrChannel.
func ParseChannel(kind, raw string, opt PhoneOptions) (Channel, error) {
	switch kind {
	case api.ChannelSMS:
		n, err := ParsePhone(raw, opt)
		if err != nil {
			return Channel{}, err
		}
		return Channel{Kind: kind, Address: n}, nil
	case api.ChannelEmail:
		e, err := ident.NormalizeEmail(raw)
		if err != nil {
			return Channel{}, fmt.Errorf("%w: %w", ErrChannel, err)
		}
		return Channel{Kind: kind, Address: e}, nil
	}
	return Channel{}, fmt.Errorf("%w: unknown kind %q", ErrChannel, kind)
}

// Masked renders the address for display ("06 •• •• •• 78", "j•••@exemple.fr").
func (c Channel) Masked() string { return MaskAddress(c.Address) }

// API returns the channel as the agent sees it.
func (c Channel) API(active bool) api.Channel {
	return api.Channel{Kind: c.Kind, Masked: c.Masked(), Active: active}
}

// MaskAddress masks an e-mail address or an E.164 number; it is also what logs show of a
// recipient.
func MaskAddress(addr string) string {
	if strings.Contains(addr, "@") {
		return MaskEmail(addr)
	}
	return MaskPhone(addr)
}

// MaskEmail keeps the first character of the local part and the domain: "jean@exemple.fr" →
// "j•••@exemple.fr" (always three dots, whatever the length).
func MaskEmail(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 1 {
		return "•••"
	}
	r := []rune(addr[:i])
	return string(r[0]) + "•••" + addr[i:]
}
