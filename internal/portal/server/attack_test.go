package server_test

// The attack suite (docs/security.md): each test replays, through real HTTP on loopback
// against a real portal (SQLite and PostgreSQL, and two instances on one PostgreSQL where the
// property spans instances), one of the attacks of issue 14, and fails on a portal without
// the defence.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// attacker is an HTTP/1.1 client holding n connections opened in advance, so that a burst
// reaches the portal at once rather than behind n TLS handshakes.
type attacker struct {
	hc *http.Client
}

func newAttacker(t *testing.T, rigs []*authRig, n int) *attacker {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rigs[0].pt.Roots},
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{}, // no HTTP/2: one request per connection
		MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	a := &attacker{hc: &http.Client{Transport: tr}}
	t.Cleanup(tr.CloseIdleConnections)
	for _, rig := range rigs {
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp, err := a.hc.Get(rig.pt.URL + "/healthz"); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}
	return a
}

// shot is one request of a burst.
type shot struct {
	rig  *authRig
	path string
	body any
}

// reply is the status and error code of one answer.
type reply struct {
	status int
	code   string
}

// burst releases every shot at the same instant and returns the answers in order.
func (a *attacker) burst(t *testing.T, shots []shot) []reply {
	t.Helper()
	out := make([]reply, len(shots))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range shots {
		b, _ := json.Marshal(s.body)
		req, err := http.NewRequest(http.MethodPost, s.rig.pt.URL+api.Version+s.path, bytes.NewReader(b))
		mustOK(t, err)
		req.Header.Set("Content-Type", "application/json")
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			resp, err := a.hc.Do(req)
			if err != nil {
				out[i] = reply{status: -1, code: err.Error()}
				return
			}
			defer resp.Body.Close()
			var e api.ErrorBody
			raw, _ := io.ReadAll(resp.Body)
			json.Unmarshal(raw, &e)
			out[i] = reply{status: resp.StatusCode}
			if e.Error != nil {
				out[i].code = e.Error.Code
			}
		}()
	}
	close(gate)
	wg.Wait()
	return out
}

func signInShot(rig *authRig, name, pw string) shot {
	return shot{rig: rig, path: "/signin/password", body: api.PasswordSignInRequest{Identifiant: name,
		Password: pw, Workstation: "poste-attaque"}}
}

// raceLockout: 25 wrong passwords released together, spread over rigs (one instance or
// two on one database), may be answered "wrong password" at most MaxFailures-1 times; the
// next burst of 24 wrong passwords and the right one gets no challenge.
func raceLockout(t *testing.T, rigs []*authRig) {
	const mail = "cible@samu.test"
	rigs[0].account(t, "cible.course", mail, goodPW, map[string]string{api.ChannelEmail: mail})
	a := newAttacker(t, rigs, 25)
	var shots []shot
	for i := range 25 {
		shots = append(shots, signInShot(rigs[i%len(rigs)], "cible.course", "Faux#essai-"+itoa(i)))
	}
	wrong := 0
	for _, ans := range a.burst(t, shots) {
		switch {
		case ans.status == http.StatusUnauthorized && ans.code == api.CodeCredentials:
			wrong++
		case ans.status == http.StatusLocked && ans.code == api.CodeAccountLocked:
		default:
			t.Fatalf("answer %+v", ans)
		}
	}
	if wrong > 2 {
		t.Fatalf("%d of 25 parallel wrong passwords were counted as plain failures (3-try lock): the count raced", wrong)
	}
	shots = shots[:24]
	shots = append(shots, signInShot(rigs[len(rigs)-1], "cible.course", goodPW))
	for i, ans := range a.burst(t, shots) {
		if ans.status == http.StatusOK {
			t.Fatalf("shot %d of the second burst signed in (or got a challenge) on a locked account", i)
		}
	}
}

// TestAttackConcurrentGuesses: finding 1 (the lock raced) on SQLite and PostgreSQL.
func TestAttackConcurrentGuesses(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		raceLockout(t, []*authRig{startAuth(t, dialect)})
	})
}

// TestAttackConcurrentGuessesTwoInstances: the same burst split over two portal instances on
// one PostgreSQL database.
func TestAttackConcurrentGuessesTwoInstances(t *testing.T) {
	open := sharedDB(t, store.Postgres)
	raceLockout(t, []*authRig{startAuthWith(t, open()), startAuthWith(t, open())})
}

// sharedDB returns an opener of one scratch database of dialect: each call is a new store
// (its own connection pool) on it, as a second instance or a restarted portal has. The first
// call migrates and adds the demo entity.
func sharedDB(t *testing.T, dialect string) func() *store.Store {
	t.Helper()
	dsn, dir := "", t.TempDir()
	if dialect == store.Postgres {
		dsn = storetest.PostgresDSN(t)
	}
	first := true
	return func() *store.Store {
		ctx := context.Background()
		st, err := store.Open(ctx, dsn, dir)
		mustOK(t, err)
		t.Cleanup(func() { st.Close() })
		_, err = st.Migrate(ctx)
		mustOK(t, err)
		if first {
			mustOK(t, st.AddEntity(ctx, store.Entity{ID: portaltest.Entity, Name: portaltest.EntityName}))
			first = false
		}
		return st
	}
}
