package server_test

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/notify"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// codeCatcher is the delivery end of the benchmark: it keeps the last code per address (an
// SMTP relay would add its own CPU to the portal's on the same two cores).
type codeCatcher struct {
	mu    sync.Mutex
	codes map[string]string
}

var benchCode = regexp.MustCompile(`\b\d{6}\b`)

func (c *codeCatcher) Send(_ context.Context, e notify.Envelope) error {
	c.mu.Lock()
	c.codes[e.To] = benchCode.FindString(e.Body)
	c.mu.Unlock()
	return nil
}

func (c *codeCatcher) code(to string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.codes[to]
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOTPSignIn: full identifiant + password + OTP sign-ins (password → send code →
// verify → session) through the HTTP API over TLS on loopback, argon2id at the OWASP
// parameters, 8 clients at once, on SQLite and PostgreSQL. It reports wall-clock sign-ins/s
// and CPU-ms per sign-in (client and server share the process: the CPU figure includes both).
func BenchmarkOTPSignIn(b *testing.B) {
	for _, d := range []string{store.SQLite, store.Postgres} {
		b.Run(d, func(b *testing.B) { benchOTPSignIn(b, d) })
	}
}

func benchOTPSignIn(b *testing.B, dialect string) {
	catcher := &codeCatcher{codes: map[string]string{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var auth *server.AuthOptions
	pt := portaltest.Start(b, dialect, func(o *server.Options) {
		a, err := server.NewAuthOptions(server.AuthSetup{Store: o.Store, Password: password.DefaultConfig(),
			Key: make([]byte, 32), Senders: map[string]notify.Sender{api.ChannelEmail: catcher}})
		if err != nil {
			b.Fatal(err)
		}
		// Each benchmark user signs in far more often than anyone could: the hourly code cap
		// is still checked (its transaction is part of the cost) but never reached.
		a.CodesPerHour = 1 << 30
		go a.Notifier.Run(ctx)
		o.Auth, auth = a, a
	})
	const workers = 8
	hash, err := auth.Hasher.Hash(ctx, []byte(goodPW))
	if err != nil {
		b.Fatal(err)
	}
	for i := range workers {
		u := store.User{Identifiant: fmt.Sprintf("bench.user%d", i), GivenName: "Bench", FamilyName: "User", Habilitation: true}
		if err := pt.Store.AddUser(ctx, &u, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := pt.Store.SetPassword(ctx, u.ID, store.NewPassword{Hash: hash}, store.AuditEntry{Event: "bench"}); err != nil {
			b.Fatal(err)
		}
		addr := fmt.Sprintf("bench%d@samu.test", i)
		if err := pt.Store.ActivateChannel(ctx, u.ID, otp.Channel{Kind: api.ChannelEmail, Address: addr}, "", store.AuditEntry{Event: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	var next, fails atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuNow()
	for w := range workers {
		c := benchClient(b, pt) // one per user, like one agent per workstation (keep-alive TLS)
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := oneOTPSignIn(ctx, c, catcher, w); err != nil {
					fails.Add(1)
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	wall, cpu := time.Since(start), cpuNow()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/wall.Seconds(), "signins/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/signin")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}

func benchClient(b *testing.B, pt *portaltest.Portal) *client.Client {
	c, err := client.New(pt.URL, client.Options{RootCAs: pt.Roots})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// oneOTPSignIn is one user's sign-in: password, code by e-mail, code typed back.
func oneOTPSignIn(ctx context.Context, c *client.Client, catcher *codeCatcher, w int) error {
	ch, err := c.SignInPassword(ctx, fmt.Sprintf("bench.user%d", w), []byte(goodPW), fmt.Sprintf("poste-%d", w), "")
	if err != nil {
		return err
	}
	r, err := c.SendOTPStatus(ctx, ch.ChallengeID, api.ChannelEmail)
	if err != nil {
		return err
	}
	if r.Delivery != api.DeliveryDelivered {
		return fmt.Errorf("delivery %s", r.Delivery)
	}
	in, err := c.VerifyOTP(ctx, ch.ChallengeID, catcher.code(fmt.Sprintf("bench%d@samu.test", w)), false)
	if err != nil {
		return err
	}
	if in.Token == "" {
		return fmt.Errorf("no session")
	}
	return nil
}

// BenchmarkArgon2Floor: the floor of the password path, in the same run — argon2id
// verifications at the same parameters, 8 at once, nothing else. A password + OTP sign-in
// runs exactly one; what it costs beyond this is the portal's own work.
func BenchmarkArgon2Floor(b *testing.B) {
	h, err := password.NewHasher(password.DefaultConfig().Params, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	hash, err := h.Hash(ctx, []byte(goodPW))
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuNow()
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if ok, err := h.Verify(ctx, []byte(goodPW), hash); err != nil || !ok {
					b.Error("verify", err)
					return
				}
			}
		})
	}
	wg.Wait()
	wall, cpu := time.Since(start), cpuNow()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/wall.Seconds(), "verifies/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/verify")
}
