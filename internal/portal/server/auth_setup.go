package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// AuthSetup is what NewAuthOptions needs.
type AuthSetup struct {
	Store    *store.Store
	Password password.Config
	OTP      otp.Config // zero: otp.DefaultConfig
	// Key is the portal's master secret (≥ 32 bytes, from the OS keyring): the code MACs,
	// captcha tokens and decoy choices use keys derived from it.
	Key     []byte
	Senders map[string]notify.Sender // api.ChannelEmail / api.ChannelSMS
	Notify  notify.Config            // Now defaults to the store's clock
	Log     *slog.Logger
}

// NewAuthOptions builds AuthOptions with a notifier on the store's queue (run its worker:
// go opts.Notifier.Run(ctx)). Fields such as LinkURL, Service or DeliveryWait can be set on
// the result.
func NewAuthOptions(in AuthSetup) (*AuthOptions, error) {
	if len(in.Key) < 32 {
		return nil, otp.ErrShortKey
	}
	h, err := password.NewHasher(in.Password.Params, 0)
	if err != nil {
		return nil, fmt.Errorf("password hasher: %w", err)
	}
	oc := in.OTP
	if oc == (otp.Config{}) {
		oc = otp.DefaultConfig()
	}
	m, err := otp.NewManager(derive(in.Key, "otp-codes"), oc)
	if err != nil {
		return nil, err
	}
	cap, err := otp.NewCaptcha(derive(in.Key, "captcha"), 0, in.Store.CaptchaReplay())
	if err != nil {
		return nil, err
	}
	nc := in.Notify
	if nc.Now == nil {
		st := in.Store
		nc.Now = func() time.Time { return st.Now() }
	}
	n := notify.New(in.Store.NotifyQueue(), in.Senders, nc, in.Log)
	return &AuthOptions{Password: in.Password, Hasher: h, OTP: m, Captcha: cap, Notifier: n,
		Key: derive(in.Key, "decoys")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cpx-portal auth " + label))
	return m.Sum(nil)
}
