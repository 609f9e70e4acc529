//go:build integration

package adversary

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// Packed lots (domain/packed.go, chaincode/packed.go): a lot registered with
// units = n holds units "<lot>~1" … "<lot>~n" in its one record. A unit has
// no key of its own until its owner changes it alone, which writes the
// unit's key with the owner's state-based policy and existence anchor.
// Until then the unit's key is one nobody has written: a coalition without
// the owner can create it (creation is governed by the chaincode-level
// policy), so every read must ignore a unit key without the owner's anchor,
// and the coalition must not be able to write that anchor or change the lot.

const packedLotUnits = 5

// packedLot registers a maker lot of packedLotUnits units (REST) and
// returns its id.
func packedLot(t *testing.T, what string) string {
	t.Helper()
	lot := newID(makerPrefix, what)
	register(t, map[string]any{"id": lot, "kind": "lot", "industry": "kitchen_bath", "model": "JZT-PACKED",
		"attributes": map[string]string{"productionDate": "2026-12-01"}, "units": packedLotUnits})
	return lot
}

// chainItem reads id through the chaincode's registry:GetItem on org's peer.
func chainItem(t *testing.T, org, id string) (domain.Item, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[org], nw.actors[nw.firstUser(org)], call{Fn: "registry:GetItem", Args: []string{id}, Orgs: []string{org}})
	if err != nil {
		return domain.Item{}, err
	}
	var it domain.Item
	if err := json.Unmarshal(b, &it); err != nil {
		t.Fatalf("registry:GetItem %s answered %q: %v", id, b, err)
	}
	return it, nil
}

// wantPackedUnit asserts that the chaincode (on the maker's and the
// platform's peer) and the REST API (item, verify, trace backward) answer
// unit n of lot as the lot's packed unit: registered, parent the lot,
// owner the maker, genuine.
func wantPackedUnit(t *testing.T, lot string, n int, after string) {
	t.Helper()
	id := domain.PackedUnitID(lot, n)
	check := func(src string, it domain.Item) {
		if !it.Packed || it.Status != domain.StatusRegistered || it.Parent != lot || it.Owner != nw.msp("maker") || it.Serial != fmt.Sprint(n) {
			t.Errorf("ATTACK SUCCEEDED (%s): %s reads packed=%v status=%s parent=%q owner=%s serial=%q %s, want the lot's packed unit",
				src, id, it.Packed, it.Status, it.Parent, it.Owner, it.Serial, after)
		}
	}
	for _, org := range []string{nw.msp("maker"), nw.msp("platform")} {
		it, err := chainItem(t, org, id)
		if err != nil {
			t.Errorf("chaincode GetItem %s on %s %s: %v", id, org, after, err)
			continue
		}
		check("chaincode GetItem on "+org, it)
	}
	var it domain.Item
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+id, nil, &it, http.StatusOK)
	check("REST item", it)
	verify(t, id).each(func(src string, v domain.Verification) {
		if !v.Genuine || v.Status != domain.StatusRegistered || v.Serial != fmt.Sprint(n) {
			t.Errorf("ATTACK SUCCEEDED (%s verify): %s reads genuine=%v status=%s serial=%q %s", src, id, v.Genuine, v.Status, v.Serial, after)
		}
	})
	var tr domain.Trace
	nw.api.must(t, "regulator", http.MethodGet, "/v1/trace/backward/"+id, nil, &tr, http.StatusOK)
	if len(tr.Nodes) != 1 || tr.Nodes[0].ID != lot {
		t.Errorf("ATTACK SUCCEEDED (REST trace backward): %s traces back to %+v %s, want only its lot %s", id, tr.Nodes, after, lot)
	}
}

// forgedUnit is a unit record for unit n of lot as a coalition would plant
// it: decommissioned, under another parent, naming the maker as owner and
// the lot's own registration transaction.
func forgedUnit(t *testing.T, lot string, n int, parent string) []byte {
	t.Helper()
	var l domain.Item
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+lot, nil, &l, http.StatusOK)
	u := domain.PackedUnit(l, n)
	u.Packed, u.Status, u.Parent, u.UpdatedAt = false, domain.StatusDecommissioned, parent, time.Now().UTC().Format(time.RFC3339)
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// (a) The three orgs other than the maker create the key of a packed unit
// the maker never changed: decommissioned, under another lot of the maker's.
// The new key commits (its creation needs only the chaincode-level
// majority), but without the maker's anchor every read ignores it: the unit
// still reads from its lot, a recall of the lot still reaches it, and the
// maker's own change of the unit later takes the key over.
func TestAttackCoalitionPlantsPackedUnitKey(t *testing.T) {
	orgs, signer := coalition(t)
	lot, other := packedLot(t, "PACKPLANT"), packedLot(t, "PACKOTHER")
	const n = 2
	id := domain.PackedUnitID(lot, n)
	k := itemKey(t, id)
	// With it, a unit beyond the lot's units, registered-looking.
	beyond := domain.PackedUnitID(lot, packedLotUnits+1)
	fb := patch(t, forgedUnit(t, lot, packedLotUnits+1, lot), map[string]any{"status": "registered"})
	o := attack(t, signer, orgs, "trace:RecordEvents", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forgedUnit(t, lot, n, other)},
		{Op: rogue.OpPut, Key: itemKey(t, beyond), Value: fb},
		eventOp("events.recorded", id, other, beyond),
	}})
	if !o.Committed() {
		t.Fatalf("the coalition's new unit key did not commit (%s): creation of a key nobody wrote is governed by the chaincode-level majority, so this test expects it on the ledger and every read to ignore it", o)
	}
	var planted domain.Item
	if err := json.Unmarshal(readKey(t, orgs[0], k), &planted); err != nil || planted.Status != domain.StatusDecommissioned || planted.Parent != other {
		t.Fatalf("the planted unit key on the ledger: %+v %v", planted, err)
	}
	wantPackedUnit(t, lot, n, "after three orgs planted its key (decommissioned, under another lot)")
	notRegistered(t, beyond, "a unit beyond the lot's units, planted by three orgs")
	if st, b := nw.api.do(t, "maker-qa", http.MethodGet, "/v1/items/"+beyond, nil, nil); st != http.StatusNotFound {
		t.Errorf("ATTACK SUCCEEDED (REST item): planted unit %s beyond the lot: HTTP %d %.160s, want 404", beyond, st, b)
	}

	// The maker's own change of the unit takes the key over: its policy
	// and anchor, the lot as parent.
	if st, b := events(t, "maker-operator", map[string]any{"type": "decommissioning", "id": id}); st != http.StatusCreated {
		t.Fatalf("the maker's decommissioning of %s after the plant: HTTP %d %s", id, st, b)
	}
	var it domain.Item
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+id, nil, &it, http.StatusOK)
	if it.Packed || it.Status != domain.StatusDecommissioned || it.Parent != lot {
		t.Errorf("the maker's own change of the unit after the plant: %+v, want decommissioned, parent %s", it, lot)
	}
	sbe := rogueRead(t, orgs[0], rogue.Op{Op: rogue.OpGetSBE, Key: k})
	if len(sbe.Reads) != 1 || !containsAll(sbe.Reads[0].Orgs, nw.msp("maker")) {
		t.Errorf("the materialised unit key's state-based policy names %v, want the maker among them", sbe.Reads)
	}
	// A recall of the lot reaches the unit (materialised) and its packed
	// neighbour; not the other lot.
	nw.api.must(t, "regulator", http.MethodPost, "/v1/items/"+lot+"/recall", map[string]any{"reason": "adversary: packed lot recall"}, nil, http.StatusOK)
	wantRecalled(t, id, "after the lot's recall (its key was planted under another lot)")
	wantRecalled(t, domain.PackedUnitID(lot, n+1), "after the lot's recall")
	verify(t, domain.PackedUnitID(other, n)).each(func(src string, v domain.Verification) {
		if v.Recalled {
			t.Errorf("(%s verify) a unit of the other lot reads recalled", src)
		}
	})
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// (b) The same coalition also writes the maker's existence anchor for the
// unit key — by hand (key, owner's policy, anchor) and by running the
// honest RecordEvents as maker-operator with its whole write set: the
// anchor collection's policy needs the maker, so validation refuses both.
// Without the anchor (the honest run's maker writes dropped) the key is
// ignored as in (a).
func TestAttackCoalitionAnchorsPackedUnitKey(t *testing.T) {
	orgs, signer := coalition(t)
	lot, other := packedLot(t, "PACKANCHOR"), packedLot(t, "PACKANCHOROTHER")
	maker := nw.msp("maker")
	const n = 3
	id := domain.PackedUnitID(lot, n)
	k := itemKey(t, id)
	o := attack(t, signer, orgs, "trace:RecordEvents", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forgedUnit(t, lot, n, other)},
		{Op: rogue.OpSBE, Key: k, Orgs: orgs},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(maker), Key: k, Value: []byte(fmt.Sprintf("%064x", time.Now().UnixNano()))},
		eventOp("events.recorded", id),
	}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	wantPackedUnit(t, lot, n, "after three orgs wrote its key with the maker's anchor")

	ev, _ := json.Marshal([]map[string]any{{"type": "decommissioning", "id": id}})
	full := attack(t, signer, orgs, "trace:RecordEvents", impersonate(t, "maker-operator", nil, "trace:RecordEvents", string(ev)))
	if full.EndorseErr == nil {
		var r rogue.Result
		_ = json.Unmarshal(full.Payload, &r)
		t.Logf("honest RecordEvents as maker-operator, full write set: %v", r.Kept)
		if !wroteTo(r.Kept, maker) {
			t.Errorf("the honest materialisation wrote nothing to the maker's collections (%v): a unit key would not be anchored", r.Kept)
		}
	}
	wantRefused(t, full, "ENDORSEMENT_POLICY_FAILURE")
	wantPackedUnit(t, lot, n, "after three orgs ran the maker's decommissioning with its anchor")

	dropped := attack(t, signer, orgs, "trace:RecordEvents", impersonate(t, "maker-operator", []string{maker}, "trace:RecordEvents", string(ev)))
	refusedOrIgnored(t, dropped)
	wantPackedUnit(t, lot, n, "after three orgs ran the maker's decommissioning without its anchor")
}

// (c) A coalition without the maker — and the maker alone — rewrite the
// lot's record to hold more units (or fewer): the lot key carries the
// maker's state-based policy (maker AND a majority of the others), so
// validation refuses both; units beyond the lot stay unregistered.
func TestAttackRewritesPackedLotUnits(t *testing.T) {
	needRogue(t, "maker", "platform", "partner", "regulator")
	maker := nw.msp("maker")
	lot := packedLot(t, "PACKGROW")
	k := itemKey(t, lot)
	raw := readKey(t, maker, k)
	beyond := domain.PackedUnitID(lot, packedLotUnits+1)
	for _, tc := range []struct {
		who   []string
		units int
	}{
		{nw.mspsExcept(maker), 50 * packedLotUnits},
		{nw.mspsExcept(maker), 1},
		{[]string{maker}, 50 * packedLotUnits},
	} {
		o := attack(t, nw.user(t, nw.firstUser(tc.who[0])), tc.who, "registry:RegisterItems", rogue.Script{Ops: []rogue.Op{
			{Op: rogue.OpPut, Key: k, Value: patch(t, raw, map[string]any{"units": tc.units})}, eventOp("items.registered", lot, beyond),
		}})
		wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
		var l domain.Item
		nw.api.must(t, "maker-qa", http.MethodGet, "/v1/items/"+lot, nil, &l, http.StatusOK)
		if l.Units != packedLotUnits {
			t.Errorf("ATTACK SUCCEEDED (REST item): %v set the lot's units to %d", tc.who, l.Units)
		}
		if st, b := nw.api.do(t, "maker-qa", http.MethodGet, "/v1/items/"+beyond, nil, nil); st != http.StatusNotFound {
			t.Errorf("ATTACK SUCCEEDED (REST item): unit %s beyond the lot after %v: HTTP %d %.160s", beyond, tc.who, st, b)
		}
		notRegistered(t, beyond, fmt.Sprintf("a unit beyond the lot after %v rewrote its units", tc.who))
		wantPackedUnit(t, lot, packedLotUnits, fmt.Sprintf("after %v rewrote the lot's units to %d", tc.who, tc.units))
	}
}

// A documented denial of service (docs/threat-model.md, "What is not
// guaranteed"), not a forgery: the three non-makers create a packed unit's
// key with a state-based policy nobody can satisfy (it names an org that
// does not exist). Reads ignore the key; the maker's own change of that
// unit can never be validated, and is refused at once with CONFLICT and the
// reason (not a 503 "retry later" after the gateway finds no endorsers);
// its neighbour is not affected.
func TestPackedUnitFrozenByACoalitionIsRefusedWithAReason(t *testing.T) {
	orgs, signer := coalition(t)
	lot, other := packedLot(t, "PACKFREEZE"), packedLot(t, "PACKFREEZEOTHER")
	const n = 4
	id := domain.PackedUnitID(lot, n)
	k := itemKey(t, id)
	o := attack(t, signer, orgs, "trace:RecordEvents", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: k, Value: forgedUnit(t, lot, n, other)},
		{Op: rogue.OpSBE, Key: k, Orgs: []string{"NoSuchMSP"}},
		eventOp("events.recorded", id),
	}})
	if !o.Committed() {
		t.Fatalf("the coalition's new unit key with its own policy did not commit (%s): if creation is now refused, this denial of service is gone — update docs/threat-model.md and this test", o)
	}
	wantPackedUnit(t, lot, n, "after three orgs created its key with a policy of their own")
	var res domain.BatchResult
	st, b := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/events", map[string]any{"events": []map[string]any{{"type": "decommissioning", "id": id}}}, &res)
	var e struct {
		Error *domain.Error `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	conflict := st == http.StatusConflict && e.Error != nil && e.Error.Code == domain.CodeConflict ||
		st == http.StatusUnprocessableEntity && len(res.Results) == 1 && res.Results[0].Error != nil && res.Results[0].Error.Code == domain.CodeConflict
	t.Logf("the maker's change of the frozen unit: HTTP %d %.300s", st, b)
	if !conflict || !strings.Contains(string(b), "policy of their own") {
		t.Errorf("the maker's change of the frozen unit: HTTP %d %.300s, want CONFLICT naming the foreign policy", st, b)
	}
	wantPackedUnit(t, lot, n, "after the maker's refused change")
	if st, b := events(t, "maker-operator", map[string]any{"type": "decommissioning", "id": domain.PackedUnitID(lot, n+1)}); st != http.StatusCreated {
		t.Errorf("the maker's change of the frozen unit's neighbour: HTTP %d %.200s", st, b)
	}
}
