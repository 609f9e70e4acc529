//go:build integration

package adversary

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// Registrations of two or more items are anchored once per transaction: a
// manifest of the created ids (regbatch~<txid>) whose digest the owner's
// anchor collection holds (chaincode/regbatch.go). These attacks target
// that shape; an item registered alone keeps its per-item anchor
// (TestAttackCoalitionForgesItem).

// notRegistered asserts that neither the chaincode's public read nor the
// REST API counts id as registered.
func notRegistered(t *testing.T, id, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[nw.msp("platform")], nw.user(t, "platform-admin"), call{Fn: "public:Verify", Args: []string{id}})
	var v domain.Verification
	if err == nil && json.Unmarshal(b, &v) == nil && v.Genuine {
		t.Errorf("ATTACK SUCCEEDED (chaincode verify): %s reads genuine", what)
	}
	if st, b := nw.api.do(t, "", http.MethodGet, "/v1/verify/"+id, nil, nil); st != http.StatusNotFound {
		t.Errorf("ATTACK SUCCEEDED (REST verify): %s: HTTP %d %.160s, want 404", what, st, b)
	}
}

// The three non-owners run the honest RegisterItems for two maker ids,
// leaving out the maker's anchor collection: the manifest is written, its
// anchor is not.
func TestAttackCoalitionForgesRegistrationBatch(t *testing.T) {
	orgs, signer := coalition(t)
	a, b := newID(makerPrefix, "BATCHFORGE"), newID(makerPrefix, "BATCHFORGE")
	items, _ := json.Marshal([]map[string]any{unit(a), unit(b)})
	o := attack(t, signer, orgs, "registry:RegisterItems", impersonate(t, "maker-operator", []string{nw.msp("maker")}, "registry:RegisterItems", string(items)))
	refusedOrIgnored(t, o)
	notRegistered(t, a, "an item of a manifest the maker never anchored")
	notRegistered(t, b, "an item of a manifest the maker never anchored")
	// The maker's own registration of both still works.
	var res domain.BatchResult
	st, body := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{unit(a), unit(b)}}, &res)
	if st != http.StatusCreated || len(res.Results) != 2 || res.Results[0].Status != domain.ResultCreated || res.Results[1].Status != domain.ResultCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of registration): the maker's registration after the forgery: HTTP %d %.200s, want 201 with both created", st, body)
	}
}

// The maker registers two items in one transaction; the three non-owners
// create a third item key whose record copies one of them — owner, the
// genuine registration transaction id and all — once as a new id and once
// keeping the copied record's id: the key is in no anchored manifest.
func TestAttackCoalitionJoinsARegisteredBatch(t *testing.T) {
	orgs, signer := coalition(t)
	a, b := newID(makerPrefix, "BATCHREAL"), newID(makerPrefix, "BATCHREAL")
	register(t, unit(a), unit(b))
	raw := readKey(t, orgs[0], itemKey(t, a))
	for _, claim := range []string{"", a} {
		forged := newID(makerPrefix, "BATCHJOIN")
		id := forged
		if claim != "" {
			id = claim
		}
		v := patch(t, raw, map[string]any{"id": id})
		// No event: the dashboard would count an id no read ever accepts
		// (TestDashboardFiguresEqualARecountFromTheLedger); reads are what
		// this attack is about.
		o := attack(t, signer, orgs, "registry:RegisterItems", rogue.Script{Ops: []rogue.Op{
			{Op: rogue.OpPut, Key: itemKey(t, forged), Value: v},
		}})
		refusedOrIgnored(t, o)
		notRegistered(t, forged, "a record naming the maker's genuine registration transaction (id field "+id+")")
	}
	for _, id := range []string{a, b} {
		if st, body := nw.api.do(t, "", http.MethodGet, "/v1/verify/"+id, nil, nil); st != http.StatusOK {
			t.Errorf("the maker's genuine item %s: HTTP %d %.160s, want 200", id, st, body)
		}
	}
}
