//go:build integration

package adversary

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// Owner alone: the maker runs the rogue server and endorses alone
// (EndorsingOrganizations = [MakerMSP]); its own records must still need a
// majority of the other orgs.

func itemKey(t *testing.T, id string) string {
	t.Helper()
	p, err := identifier.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	k, err := chaincode.ItemKey(p)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// readKey reads one public key through org's rogue server; it must exist.
func readKey(t *testing.T, org, key string) []byte {
	t.Helper()
	r := rogueRead(t, org, rogue.Op{Op: rogue.OpGet, Key: key})
	if len(r.Reads) != 1 || !r.Reads[0].Found {
		t.Fatalf("key %q not on the ledger", key)
	}
	return r.Reads[0].Value
}

// patch sets top-level JSON fields of a record.
func patch(t *testing.T, raw []byte, set map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("record %s: %v", raw, err)
	}
	for k, v := range set {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rewriteItemAsReleased has endorsers (rogue) rewrite a failed maker unit's
// item record to released.
func rewriteItemAsReleased(t *testing.T, what string, endorsers ...string) {
	t.Helper()
	plan(t)
	id := newID(makerPrefix, what)
	register(t, unit(id))
	inspect(t, id, false)
	k := itemKey(t, id)
	forged := patch(t, readKey(t, endorsers[0], k), map[string]any{"status": "released"})
	o := attack(t, nw.user(t, "maker-qa"), endorsers, "quality:Release", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forged}, eventOp("item.released", id),
	}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.Released || v.Status == domain.Status("released") {
			t.Errorf("ATTACK SUCCEEDED (%s verify): a failed unit reads released (status %s) after %v rewrote it", src, v.Status, endorsers)
		}
	})
}

func TestAttackOwnerAloneRewritesItem(t *testing.T) {
	needRogue(t, "maker")
	rewriteItemAsReleased(t, "OWNITEM", nw.msp("maker"))
}

// The owner with one ally (2 of 4 orgs): the owner's records need a
// majority of the *other* orgs besides the owner.
func TestAttackOwnerWithOneAllyRewritesItem(t *testing.T) {
	needRogue(t, "maker", "partner")
	rewriteItemAsReleased(t, "ALLYITEM", nw.msp("maker"), nw.msp("partner"))
}

func TestAttackOwnerAloneRewritesInspection(t *testing.T) {
	needRogue(t, "maker")
	id := inspectedUnit(t, "OWNINSP", false)
	maker := nw.msp("maker")
	scan := rogueRead(t, maker, rogue.Op{Op: rogue.OpScan, ObjectType: "insp", Attrs: []string{id}})
	if len(scan.Reads) == 0 {
		t.Fatalf("no inspection record of %s found", id)
	}
	var ops []rogue.Op
	for _, kv := range scan.Reads {
		ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: kv.Key, Value: patch(t, kv.Value, map[string]any{
			"passed": true, "failed": []string{}, "missing": []string{},
			"results": []map[string]any{{"code": "HIPOT", "pass": true}},
		})})
	}
	ops = append(ops, eventOp("inspection.recorded", id))

	o := attack(t, nw.user(t, "maker-inspector"), []string{maker}, "quality:RecordInspection", rogue.Script{Ops: ops})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	wantNotPassed(t, id, "the maker alone")
}

func TestAttackOwnerAloneRewritesRelease(t *testing.T) {
	needRogue(t, "maker")
	id := inspectedUnit(t, "OWNREL", true)
	release(t, id)
	before := verify(t, id)
	maker := nw.msp("maker")
	k, err := chaincode.ReleaseKey(id)
	if err != nil {
		t.Fatal(err)
	}
	// Re-date the release a year back (before the unit even existed).
	forged := patch(t, readKey(t, maker, k), map[string]any{"at": "2025-01-01T00:00:00Z", "byUser": "nobody"})

	o := attack(t, nw.user(t, "maker-qa"), []string{maker}, "quality:Release", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forged}, eventOp("item.released", id),
	}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.ReleasedAt != before.Chain.ReleasedAt {
			t.Errorf("%s verify: releasedAt %q, was %q before the maker's lone rewrite", src, v.ReleasedAt, before.Chain.ReleasedAt)
		}
	})
}

func TestAttackOwnerAloneRewritesCustody(t *testing.T) {
	needRogue(t, "maker")
	id := inspectedUnit(t, "OWNCUST", true)
	release(t, id)
	partner := nw.msp("partner")
	nw.api.must(t, "maker-operator", http.MethodPost, "/v1/events", map[string]any{"events": []map[string]any{
		{"type": "shipping", "id": id, "destination": partner},
	}}, nil, http.StatusCreated, http.StatusOK)
	maker := nw.msp("maker")
	k, err := chaincode.CustodyKey(id)
	if err != nil {
		t.Fatal(err)
	}
	// The maker takes the unit back on paper: received by itself.
	forged := patch(t, readKey(t, maker, k), map[string]any{"custodian": maker, "status": "received", "destination": ""})

	o := attack(t, nw.user(t, "maker-operator"), []string{maker}, "trace:RecordEvents", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forged}, eventOp("events.recorded", id),
	}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	var it domain.Item
	nw.api.must(t, "maker-operator", http.MethodGet, "/v1/items/"+id, nil, &it, http.StatusOK)
	if it.Status != domain.Status("shipped") {
		t.Errorf("REST item: status %s after the maker's lone custody rewrite, want shipped", it.Status)
	}
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.Status != domain.Status("shipped") {
			t.Errorf("%s verify: status %s, want shipped", src, v.Status)
		}
	})
}
