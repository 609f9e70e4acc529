//go:build integration && rehearse

package multihost

import (
	"testing"
	"time"
)

// TestMultihostAddOrg: the rehearsal, checked; then a fifth org joins from
// its own host (network.sh add-org brand: its MSP folder goes to the first
// org, which writes the config update; the update travels from signer to
// signer; the orderers' TLS CA, the genesis block and the peers' TLS CAs are
// exchanged), its own API starts, and everything is checked again. About
// 2–3½ minutes on a loaded 2-core machine, so make test leaves it to make
// rehearse (build tag rehearse).
func TestMultihostAddOrg(t *testing.T) {
	r := startRehearsal(t)
	t.Run("Founded", func(t *testing.T) { r.checkAll(t) })
	start := time.Now()
	r.script(t, 5*time.Minute, nil, "network/network.sh", "add-org", "brand")
	t.Logf("brand joined in %s", time.Since(start).Round(time.Second))
	r.added["brand"] = true
	r.startAPIs(t)
	if len(r.profile.Orgs) != 5 {
		t.Fatalf("%d orgs after add-org, want 5", len(r.profile.Orgs))
	}
	t.Run("AfterAddOrg", func(t *testing.T) { r.checkAll(t) })
}
