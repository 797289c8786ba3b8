package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/pki"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/client"
	"github.com/cpx-agent/cpx-agent/internal/portal/portaltest"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestTwoInstancesOnePostgres: two portal instances with their own connection pools on one
// PostgreSQL database. Sessions on both race to link one phone: exactly one wins. A takeover
// through the second instance reaches the holder's event stream on the first.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *store.Store {
		st, err := store.Open(ctx, dsn, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	st1 := open()
	for _, e := range []string{portaltest.Entity, portaltest.OtherEntity} {
		if err := st1.AddEntity(ctx, store.Entity{ID: e, Name: e}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st1.AddPhone(ctx, store.Phone{EntityID: portaltest.Entity, Number: "1001"}); err != nil {
		t.Fatal(err)
	}
	a, b := portaltest.StartWith(t, st1), portaltest.StartWith(t, open())
	ca, cb := newClient(t, a), newClient(t, b)
	const perInstance = 4
	var holders []pki.Holder
	var tokens []string
	var clients []*client.Client
	for i := range 2 * perInstance {
		h := newHolder("INSTANCE", "USER"+itoa(i))
		a.Enroll(t, h)
		c := ca
		if i%2 == 1 {
			c = cb
		}
		in, err := signInCard(ctx, c, credOf(issue(t, a.PKI, h)), "ws-"+itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		ps, _ := c.Profiles(ctx, in.Token)
		if _, err := c.ChooseProfile(ctx, in.Token, ps.Profiles[0].ID); err != nil {
			t.Fatal(err)
		}
		holders, tokens, clients = append(holders, h), append(tokens, in.Token), append(clients, c)
	}
	var wg sync.WaitGroup
	codes := make([]string, len(tokens))
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := clients[i].LinkPhone(ctx, tokens[i], api.LinkPhoneRequest{Number: "1001"})
			codes[i] = api.CodeOf(err)
			if err != nil && codes[i] == "" {
				codes[i] = err.Error()
			}
		}()
	}
	wg.Wait()
	winner := -1
	for i, c := range codes {
		switch c {
		case "":
			if winner >= 0 {
				t.Fatalf("sessions %d and %d both linked phone 1001", winner, i)
			}
			winner = i
		case api.CodePhoneTaken:
		default:
			t.Fatalf("session %d: %s", i, c)
		}
	}
	if winner < 0 {
		t.Fatal("no session linked the phone")
	}
	// The winner watches its stream on its own instance; a session on the other takes over.
	evctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	events, err := clients[winner].Events(evctx, tokens[winner])
	if err != nil {
		t.Fatal(err)
	}
	taker := (winner + 1) % len(tokens) // on the other instance (odd/even alternate)
	if _, err := clients[taker].LinkPhone(ctx, tokens[taker], api.LinkPhoneRequest{Number: "1001", Takeover: true}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		if e.Type != api.EventPhoneTakenOver || e.By != holders[taker].GivenName+" "+holders[taker].Surname {
			t.Fatalf("event %+v", e)
		}
	case <-evctx.Done():
		t.Fatal("the takeover on one instance did not reach the stream on the other")
	}
}
