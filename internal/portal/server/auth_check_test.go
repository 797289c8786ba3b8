package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/password"
	"github.com/cpx-agent/cpx-agent/internal/portal/server"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
	"github.com/cpx-agent/cpx-agent/internal/portal/store/storetest"
)

// TestAuthCheckRefusesUnmakeableMail: finding 10. A link_ttl under a minute used to fail each
// recovery mail later (a template error in the log, 200 to the user, an orphan link); it is
// now refused at start-up with an error that names the setting.
func TestAuthCheckRefusesUnmakeableMail(t *testing.T) {
	a, err := server.NewAuthOptions(server.AuthSetup{Store: storetest.Open(t, store.SQLite),
		Password: password.DefaultConfig(), Key: []byte(strings.Repeat("k", 32))})
	mustOK(t, err)
	mustOK(t, a.Check())
	a.LinkTTL = 30 * time.Second
	if err := a.Check(); err == nil || !strings.Contains(err.Error(), "link_ttl") {
		t.Fatalf("link_ttl 30s: %v", err)
	}
}
