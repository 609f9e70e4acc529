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

// The three orgs other than the maker overwrite the GS1 index entry of one
// genuine maker unit (GTIN + serial A) to point at another genuine maker
// unit of the same GTIN (serial B) that the regulator recalled: a consumer
// scanning unit A's code would see unit B's page (or, with the read-side
// check alone, a 404). The index key carries the registering owner's
// state-based policy, so the overwrite must not commit and A must still
// resolve to A.
func TestAttackCoalitionRedirectsGS1Index(t *testing.T) {
	orgs, signer := coalition(t)
	gtin := makerGTIN(t)
	a, b := newID(makerPrefix, "GS1A"), newID(makerPrefix, "GS1B")
	sa, sb := "A"+nw.run, "B"+nw.run
	nw.api.must(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": a, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": sa},
		{"id": b, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": sb},
	}}, nil, http.StatusCreated)
	var before domain.Verification
	nw.api.must(t, "", http.MethodGet, "/01/"+gtin+"/21/"+sa, nil, &before, http.StatusOK)
	if before.ID != a {
		t.Fatalf("the Digital Link of %s resolves to %q before the attack", a, before.ID)
	}
	o := attack(t, signer, orgs, "registry:RegisterItems", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: "\x00gs1\x00" + gtin + "\x00" + sa + "\x00", Value: []byte(b)}, eventOp("items.registered", a, b),
	}})
	// The entry carries the maker's policy since its registration: the
	// coalition's overwrite does not commit.
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	// The chaincode's resolver (what the API asks once its cached match of
	// the GS1 key expires) still answers unit A — not B, and not 404.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := nw.evaluate(ctx, nw.gws[nw.msp("platform")], nw.user(t, "platform-admin"), call{Fn: "registry:FindByGTIN", Args: []string{gtin, "", sa}})
	var m domain.GS1Match
	if err != nil || json.Unmarshal(res, &m) != nil || m.ID != a {
		t.Errorf("ATTACK SUCCEEDED (chaincode FindByGTIN): GTIN %s serial %s resolves to %q (%v)", gtin, sa, m.ID, err)
	}
	var after domain.Verification
	if st, body := nw.api.do(t, "", http.MethodGet, "/01/"+gtin+"/21/"+sa, nil, &after); st == http.StatusOK && after.ID != a {
		t.Errorf("ATTACK SUCCEEDED (Digital Link): GTIN %s serial %s resolves to %s (serial %s): %.160s", gtin, sa, after.ID, after.Serial, body)
	}
}
