//go:build integration

package adversary

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// The three orgs other than the maker create the custody record of a maker
// item that never moved: received by the partner. The key commits (its
// creation needs only the chaincode-level majority), but a custody record
// counts only with its owner's anchor of the first move, so the item stays
// in the maker's hands: REST and the chaincode show no custodian, the
// planted holder cannot ship it, the maker can.
func TestAttackCoalitionPlantsCustody(t *testing.T) {
	orgs, signer := coalition(t)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	id := newID(makerPrefix, "CUSTPLANT")
	register(t, map[string]any{"id": id, "kind": "unit", "industry": "generic"})
	k, err := chaincode.CustodyKey(id)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := json.Marshal(domain.Custody{ID: id, Custodian: partner, Status: domain.StatusReceived})
	o := attack(t, signer, orgs, "trace:RecordEvents", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forged}, eventOp("events.recorded", id),
	}})
	if !o.Committed() {
		t.Fatalf("the coalition's custody record did not commit (%s): creation of a key nobody wrote is governed by the chaincode-level majority, so this test expects it on the ledger and every read to ignore it", o)
	}
	for _, org := range []string{maker, nw.msp("platform")} {
		it, err := chainItem(t, org, id)
		if err != nil || it.Custodian != "" || it.Status != domain.StatusRegistered {
			t.Errorf("ATTACK SUCCEEDED (chaincode GetItem on %s): %s reads custodian %q status %s (%v), want no custodian, registered", org, id, it.Custodian, it.Status, err)
		}
	}
	var it domain.Item
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+id, nil, &it, http.StatusOK)
	if it.Custodian != "" || it.Status != domain.StatusRegistered {
		t.Errorf("ATTACK SUCCEEDED (REST item): %s reads custodian %q status %s after the plant", id, it.Custodian, it.Status)
	}
	ship := map[string]any{"type": "shipping", "id": id, "destination": nw.msp("regulator")}
	if st, b := events(t, "partner-operator", ship); st == http.StatusCreated {
		t.Errorf("ATTACK SUCCEEDED: the planted holder shipped the maker's item: HTTP %d %.200s", st, b)
	}
	if st, b := events(t, "maker-operator", ship); st != http.StatusCreated {
		t.Fatalf("the maker's shipment after the plant: HTTP %d %.300s", st, b)
	}
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+id, nil, &it, http.StatusOK)
	if it.Custodian != maker || it.Status != domain.StatusShipped {
		t.Errorf("after the maker's shipment: custodian %q status %s, want %s shipped", it.Custodian, it.Status, maker)
	}
}
