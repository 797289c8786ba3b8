package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestEveryPathEndsSessionsAlike: disabling an account, refusing its habilitation and changing
// its password with "sign out the others" all go through Tx.EndUserSessions: the sessions end
// (all but the one kept), the remembered workstations are forgotten, and the change is audited.
func TestEveryPathEndsSessionsAlike(t *testing.T) {
	paths := []struct {
		name  string
		event string
		keep  bool // the caller's own session stays open
		do    func(ctx context.Context, st *store.Store, userID, keep string) error
	}{
		{"account disabled", store.AuditAccount, false, func(ctx context.Context, st *store.Store, userID, _ string) error {
			return st.SetUserDisabled(ctx, userID, true, store.AuditEntry{Event: store.AuditAccount, Detail: "disabled"})
		}},
		{"habilitation refused", store.AuditHabilitation, false, func(ctx context.Context, st *store.Store, userID, _ string) error {
			return st.SetHabilitation(ctx, userID, false, store.AuditEntry{Event: store.AuditHabilitation, Detail: "off"})
		}},
		{"password changed, others signed out", store.AuditPasswordSet, true, func(ctx context.Context, st *store.Store, userID, keep string) error {
			_, err := st.SetPassword(ctx, userID, store.NewPassword{Hash: "h", SignOutOthers: true, KeepSessID: keep},
				store.AuditEntry{Event: store.AuditPasswordSet})
			return err
		}},
	}
	for _, d := range storetest.Dialects {
		for _, p := range paths {
			t.Run(d+"/"+p.name, func(t *testing.T) {
				st := storetest.Open(t, d)
				ctx := context.Background()
				u := store.User{Identifiant: "jeanne.testeuse", GivenName: "Jeanne", FamilyName: "Testeuse", Habilitation: true}
				if err := st.AddUser(ctx, &u, nil); err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, ws := range []string{"poste-1", "poste-2"} {
					s, err := st.CreateSession(ctx, store.NewSession{TokenHash: store.NewID(), UserID: u.ID, Method: "otp",
						Workstation: ws, Idle: time.Hour, Max: 8 * time.Hour}, store.AuditEntry{Event: store.AuditSignIn})
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, s.ID)
				}
				tok, dev, err := otp.NewDevice(u.ID, "poste-1", st.Now(), 0)
				if err != nil {
					t.Fatal(err)
				}
				if err := st.RememberDevice(ctx, dev); err != nil {
					t.Fatal(err)
				}
				keep := ""
				if p.keep {
					keep = ids[0]
				}
				if err := p.do(ctx, st, u.ID, keep); err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					s, err := st.SessionByID(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if open := s.EndedAt.IsZero(); open != (id == keep) {
						t.Errorf("session %s open=%v (kept %q)", id, open, keep)
					}
				}
				if _, err := st.DeviceByToken(ctx, otp.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("remembered workstation still there: %v", err)
				}
				tail, err := st.AuditTail(ctx, 1)
				if err != nil || len(tail) != 1 || tail[0].Event != p.event || tail[0].UserID != u.ID {
					t.Errorf("last audit line %+v, %v; want %s for the user", tail, err, p.event)
				}
			})
		}
	}
}
