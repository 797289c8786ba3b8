package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestCrashDuringBurst kills the portal process (SIGKILL) during a burst of card sign-ins,
// profile choices, phone links and takeovers, while admin commands enrol users. After the
// idle timeout and a restart: no phone is linked to a dead session, every session has its
// sign-in audit line, every user has its profile, and sign-in works again.
func TestCrashDuringBurst(t *testing.T) {
	p, err := pki.Shared()
	if err != nil {
		t.Fatal(err)
	}
	holders := make([]*pki.Issued, 6)
	for i := range holders {
		h := pki.Holder{NationalID: fmt.Sprintf("3%s/2%08d", pki.DemoFINESS, i), Surname: "CRASH", GivenName: fmt.Sprintf("USER%d", i)}
		if holders[i], err = p.Issue(h); err != nil {
			t.Fatal(err)
		}
	}
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dsn := ""
			if dialect == store.Postgres {
				dsn = storetest.PostgresDSN(t)
			}
			pp := newPortalProc(t, dsn, map[string]any{"session_idle": "3s", "session_max": "1h", "sweep_interval": "1s"})
			seedCrash(t, pp, holders)
			pp.start(t)
			done := burst(t, pp, holders, 2*time.Second)
			pp.kill()
			n := done()
			t.Logf("%s: %d sign-ins before SIGKILL", dialect, n)
			if n == 0 {
				t.Fatal("the burst signed nobody in before the kill")
			}
			time.Sleep(3500 * time.Millisecond) // past every session's idle deadline
			pp.start(t)
			checkNoPartialState(t, pp, dsn)
			cl, _ := client.New(pp.url, client.Options{RootCAs: pp.roots})
			if _, err := cl.SignInCard(context.Background(), holders[0].Key, holders[0].Cert, "after-restart"); err != nil {
				t.Fatalf("sign-in after restart: %v", err)
			}
		})
	}
}

func seedCrash(t *testing.T, pp *portalProc, holders []*pki.Issued) {
	t.Helper()
	ctx := context.Background()
	run := func(args ...string) {
		if b, err := pp.admin(ctx, args...).CombinedOutput(); err != nil {
			t.Fatalf("admin %v: %v\n%s", args, err, b)
		}
	}
	run("entity", "add", "samu99", "SAMU 99 TEST")
	for _, n := range []string{"1001", "1002", "1003"} {
		run("phone", "import", writeTemp(t, "samu99,"+n+",Poste,Salle\n"))
	}
	for i, is := range holders {
		h := is.Holder
		run("user", "add", "--national-id", h.NationalID, "--identifiant", fmt.Sprintf("crash.holder%d", i), "--given", h.GivenName,
			"--family", h.Surname, "--entity", "samu99", "--profile", "ARM")
	}
}

// burst runs sign-in → profile → link (with takeover) loops and `admin user add` loops until
// the process dies; done waits for them and returns the sign-ins that succeeded.
func burst(t *testing.T, pp *portalProc, holders []*pki.Issued, d time.Duration) (done func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var signins atomic.Int64
	cl, err := client.New(pp.url, client.Options{RootCAs: pp.roots, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				in, err := cl.SignInCard(ctx, holders[w%len(holders)].Key, holders[w%len(holders)].Cert, fmt.Sprintf("ws-%d", w))
				if err != nil {
					continue
				}
				signins.Add(1)
				ps, err := cl.Profiles(ctx, in.Token)
				if err != nil || len(ps.Profiles) == 0 {
					continue
				}
				cl.ChooseProfile(ctx, in.Token, ps.Profiles[0].ID)
				cl.LinkPhone(ctx, in.Token, api.LinkPhoneRequest{Number: fmt.Sprint(1001 + rand.IntN(3)), Takeover: true})
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			id := fmt.Sprintf("crash.enrol%d-%d", time.Now().UnixNano(), i) // prénom.nom form (admin validates it)
			pp.admin(ctx, "user", "add", "--identifiant", id, "--given", "E", "--family", "NROL",
				"--entity", "samu99", "--profile", "ARM").Run()
		}
	}()
	time.Sleep(d)
	return func() int {
		time.Sleep(200 * time.Millisecond) // let requests in flight fail on the dead process
		cancel()                           // kills admin commands in flight (SIGKILL)
		wg.Wait()
		return int(signins.Load())
	}
}

func checkNoPartialState(t *testing.T, pp *portalProc, dsn string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, pp.dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UnixMilli()
	checks := []struct {
		what string
		q    string
		args []any
	}{
		{"phones linked to a dead or expired session", `SELECT COUNT(*) FROM phone_links l JOIN sessions s ON s.id = l.session_id
			WHERE s.ended_at IS NOT NULL OR s.idle_expires_at <= ? OR s.expires_at <= ?`, []any{now, now}},
		{"open sessions past their deadline after the start-up sweep", `SELECT COUNT(*) FROM sessions
			WHERE ended_at IS NULL AND (idle_expires_at <= ? OR expires_at <= ?)`, []any{now, now}},
		{"sessions without their sign-in audit line", `SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS
			(SELECT 1 FROM audit a WHERE a.session_id = s.id AND a.event = 'signin' AND a.result = 'ok')`, nil},
		{"users without a profile (half-enrolled)", `SELECT COUNT(*) FROM users u WHERE NOT EXISTS
			(SELECT 1 FROM profiles p WHERE p.user_id = u.id)`, nil},
		{"phone links of sessions without a profile", `SELECT COUNT(*) FROM phone_links l JOIN sessions s
			ON s.id = l.session_id WHERE s.profile_id IS NULL`, nil},
	}
	for _, c := range checks {
		var n int
		if err := st.DB().QueryRowContext(ctx, st.Rebind(c.q), c.args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	var sessions, users int
	st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions").Scan(&sessions)
	st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&users)
	t.Logf("after restart: %d sessions, %d users, invariants hold", sessions, users)
}
