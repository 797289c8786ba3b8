package store_test

import (
	"context"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestAuditTailNamed: the identifiant, national id and profile label are joined in, on both
// dialects; lines without a user keep empty names.
func TestAuditTailNamed(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, d)
			must(t, s.AddEntity(ctx, store.Entity{ID: "samu99", Name: "SAMU 99"}))
			u := store.User{NationalID: "810000000001", Identifiant: "alice.martin", GivenName: "Alice", FamilyName: "Martin"}
			ps := []store.Profile{{EntityID: "samu99", Label: "ARM"}}
			must(t, s.AddUser(ctx, &u, ps))
			must(t, s.Audit(ctx, store.AuditEntry{Event: store.AuditProfile, UserID: u.ID, Detail: ps[0].ID}))
			must(t, s.Audit(ctx, store.AuditEntry{Event: store.AuditRateLimited, Result: store.ResultRefused, Remote: "10.0.0.1:1"}))
			ls, err := s.AuditTailNamed(ctx, 10)
			must(t, err)
			if len(ls) != 2 || ls[0].Identifiant != "alice.martin" || ls[0].NationalID != "810000000001" ||
				ls[0].Profile != "ARM — SAMU 99" || ls[1].Identifiant != "" || ls[1].Event != store.AuditRateLimited {
				t.Fatalf("%+v", ls)
			}
		})
	}
}
