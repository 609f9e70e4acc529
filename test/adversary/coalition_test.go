//go:build integration

package adversary

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// Majority without the owner: the three orgs other than the maker run the
// rogue server and endorse together (3 of 4 satisfies MAJORITY Endorsement),
// writing records that name the maker. Creation of a key is governed by the
// chaincode-level policy only, so what they create must not count.

// coalition is the three orgs other than the maker, and who signs for them.
func coalition(t *testing.T) ([]string, *actor) {
	t.Helper()
	needRogue(t, "platform", "partner", "regulator")
	return nw.mspsExcept(nw.msp("maker")), nw.user(t, "partner-qa")
}

// impersonate is a script that runs the honest function args as user,
// leaving out the writes that would need one of the without orgs (their
// collections and the keys their policies guard).
func impersonate(t *testing.T, user string, without []string, args ...string) rogue.Script {
	t.Helper()
	op := rogue.Op{Op: rogue.OpInvoke, Args: args, Creator: nw.user(t, user).Creator}
	if len(without) > 0 {
		op.Drop = rogue.Drop{CollectionsOf: without, ProtectedBy: without}
	}
	return rogue.Script{Ops: []rogue.Op{op}}
}

// wroteTo reports whether a rogue write list touches a collection of org.
func wroteTo(writes []string, org string) bool {
	for _, w := range writes {
		if strings.HasPrefix(w, "pput ") && strings.Contains(w, org) {
			return true
		}
	}
	return false
}

// splitKey splits a composite key into its object type and attributes.
func splitKey(k string) (string, []string) {
	parts := strings.Split(strings.Trim(k, "\x00"), "\x00")
	return parts[0], parts[1:]
}

// cloneKeys reads every record of objectType under the template id and
// writes it again for victim: keys and values with the template's id
// replaced by the victim's. It returns the put operations.
func cloneOps(t *testing.T, org, objectType, template, victim string) []rogue.Op {
	t.Helper()
	scan := rogueRead(t, org, rogue.Op{Op: rogue.OpScan, ObjectType: objectType, Attrs: []string{template}})
	if len(scan.Reads) == 0 {
		t.Fatalf("no %s record of %s to copy", objectType, template)
	}
	var ops []rogue.Op
	for _, kv := range scan.Reads {
		obj, attrs := splitKey(kv.Key)
		for i, a := range attrs {
			if a == template {
				attrs[i] = victim
			}
		}
		k := "\x00" + obj + "\x00" + strings.Join(attrs, "\x00") + "\x00"
		v := strings.ReplaceAll(string(kv.Value), template, victim)
		ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: k, Value: []byte(v)})
	}
	return ops
}

func TestAttackCoalitionForgesConsent(t *testing.T) {
	orgs, signer := coalition(t)
	id := inspectedUnit(t, "COALCONS", true)
	maker, partner := nw.msp("maker"), nw.msp("partner")

	in, _ := json.Marshal(domain.ConsentInput{
		Grantee: partner, Categories: []domain.Category{"inspection.detail"}, Subjects: []string{id},
		Purpose: "adversary: forged consent", ValidUntil: time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	})
	// 1. The honest GrantConsent's whole write set, run as if maker-qa had
	// asked, anchors in the maker's collections included: the maker did not
	// endorse, so validation must refuse it.
	full := attack(t, signer, orgs, "sharing:GrantConsent", impersonate(t, "maker-qa", nil, "sharing:GrantConsent", string(in)))
	if full.EndorseErr == nil {
		var r rogue.Result
		_ = json.Unmarshal(full.Payload, &r)
		t.Logf("full write set: %v", r.Kept)
		if wroteTo(r.Kept, maker) {
			wantRefused(t, full, "ENDORSEMENT_POLICY_FAILURE")
		}
	}
	// 2. The same, with the writes that would need the maker (its
	// collections, keys its policy guards) left out.
	o := attack(t, signer, orgs, "sharing:GrantConsent", impersonate(t, "maker-qa", []string{maker}, "sharing:GrantConsent", string(in)))
	var res rogue.Result
	var cs domain.Consent
	if o.Committed() {
		if err := json.Unmarshal(o.Payload, &res); err != nil {
			t.Fatalf("rogue answer %q: %v", o.Payload, err)
		}
		if err := json.Unmarshal([]byte(res.Payload), &cs); err != nil {
			t.Fatalf("forged consent %q: %v", res.Payload, err)
		}
		t.Logf("forged consent %s committed; kept %v, dropped %v", cs.ID, res.Kept, res.Dropped)
	} else {
		wantRefused(t, o)
		return
	}

	// The partner's consented read through the chaincode: record the
	// access, then read on the maker's peer.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reader := nw.user(t, "partner-operator")
	acc := send(t, partner, reader, call{Fn: "sharing:RecordAccess", Args: []string{id, "inspection.detail", cs.ID, ""}})
	if acc.Committed() {
		b, err := nw.evaluate(ctx, nw.gws[maker], reader, call{Fn: "sharing:ReadShared", Args: []string{acc.TxID}, Orgs: []string{maker}})
		if err == nil {
			t.Errorf("ATTACK SUCCEEDED: the maker's peer served private detail under a consent the maker never gave: %.120s", b)
		} else {
			t.Logf("maker's peer refused the read: %v", err)
		}
	}
	// The coalition forges the access record too (copied from an honest
	// read of another unit, pointed at the victim and the forged consent),
	// so the maker's own peer is asked to serve the detail.
	forgedAccess := forgeAccess(t, orgs, signer, id, cs.ID)
	b, err := nw.evaluate(ctx, nw.gws[maker], reader, call{Fn: "sharing:ReadShared", Args: []string{forgedAccess}, Orgs: []string{maker}})
	if err == nil {
		t.Errorf("ATTACK SUCCEEDED: the maker's peer served private detail on a forged access record under a forged consent: %.120s", b)
	} else {
		t.Logf("maker's peer refused the read on the forged access record: %v", err)
	}
	// And through the REST API.
	st, b := nw.api.do(t, "partner-operator", http.MethodGet, "/v1/items/"+id+"/shared/inspection.detail?consent="+cs.ID, nil, nil)
	if st != http.StatusForbidden {
		t.Errorf("REST shared read under the forged consent: HTTP %d %.160s, want 403", st, b)
	}
}

// forgeAccess has the coalition write an access record of the partner for
// victim under consentID: the records of an honest read of a template unit
// (honest consent, REST), with the template's id, consent and tx id
// replaced. It returns the forged access id.
func forgeAccess(t *testing.T, orgs []string, signer *actor, victim, consentID string) string {
	t.Helper()
	maker, partner := nw.msp("maker"), nw.msp("partner")
	tpl := newID(makerPrefix, "ACCTPL")
	register(t, unit(tpl))
	inspect(t, tpl, true)
	honest := grantConsent(t, tpl, "adversary: template consent", time.Now().Add(time.Hour))
	var shared struct {
		Access string `json:"access"`
	}
	nw.api.must(t, "partner-operator", http.MethodGet, "/v1/items/"+tpl+"/shared/inspection.detail?consent="+honest.ID, nil, &shared, http.StatusOK)
	if shared.Access == "" {
		t.Fatalf("the honest shared read names no access record")
	}
	fakeTx := fmt.Sprintf("%064x", time.Now().UnixNano())
	swap := strings.NewReplacer(tpl, victim, honest.ID, consentID, shared.Access, fakeTx)
	var ops []rogue.Op
	for _, scan := range []rogue.Op{
		{Op: rogue.OpScan, ObjectType: "access", Attrs: []string{maker, tpl}},
		{Op: rogue.OpScan, ObjectType: "accessid", Attrs: []string{shared.Access}},
		{Op: rogue.OpScan, ObjectType: "accessorg", Attrs: []string{maker, partner}},
	} {
		for _, kv := range rogueRead(t, orgs[0], scan).Reads {
			if !strings.Contains(kv.Key, shared.Access) {
				continue
			}
			k, v := swap.Replace(kv.Key), []byte(swap.Replace(string(kv.Value)))
			ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: k, Value: v})
			if obj, _ := splitKey(k); obj == "access" {
				// The accessor is in the coalition: it anchors its forged
				// record itself (its anchor collection needs it and a
				// majority of the others, which the coalition has).
				sum := sha256.Sum256(v)
				ops = append(ops, rogue.Op{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(partner), Key: k,
					Value: []byte(hex.EncodeToString(sum[:]))})
			}
		}
	}
	if len(ops) == 0 {
		t.Fatalf("no access record of the honest read %s found", shared.Access)
	}
	o := attack(t, signer, orgs, "sharing:RecordAccess", rogue.Script{Ops: append(ops, eventOp("access.recorded", victim))})
	refusedOrIgnored(t, o)
	return fakeTx
}

func TestAttackCoalitionForgesRelease(t *testing.T) {
	orgs, signer := coalition(t)
	plan(t)
	victim, template := newID(makerPrefix, "COALREL"), newID(makerPrefix, "COALRELTPL")
	register(t, unit(victim), unit(template))
	inspect(t, template, true)
	release(t, template)

	// The template's release record, copied for the uninspected victim.
	ops := cloneOps(t, orgs[0], "release", template, victim)
	ops = append(ops, eventOp("item.released", victim))
	o := attack(t, signer, orgs, "quality:Release", rogue.Script{Ops: ops})
	refusedOrIgnored(t, o)
	// The same with an anchor of the forged record in the maker's anchor
	// collection: its collection policy needs the maker.
	var anchored []rogue.Op
	for _, op := range ops {
		if op.Op == rogue.OpPut {
			sum := sha256.Sum256(op.Value)
			anchored = append(anchored, rogue.Op{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(nw.msp("maker")),
				Key: op.Key, Value: []byte(hex.EncodeToString(sum[:]))})
		}
	}
	o = attack(t, signer, orgs, "quality:Release", rogue.Script{Ops: append(ops, anchored...)})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	r := verify(t, victim)
	r.each(func(src string, v domain.Verification) {
		if v.Released || v.Status == domain.Status("released") || v.ReleasedAt != "" {
			t.Errorf("ATTACK SUCCEEDED (%s verify): an uninspected unit reads released=%v status=%s releasedAt=%q", src, v.Released, v.Status, v.ReleasedAt)
		}
	})
}

func TestAttackCoalitionForgesInspection(t *testing.T) {
	orgs, signer := coalition(t)
	plan(t)
	victim, template := newID(makerPrefix, "COALINSP"), newID(makerPrefix, "COALINSPTPL")
	register(t, unit(victim), unit(template))
	inspect(t, victim, false)
	inspect(t, template, true) // later than the victim's failed one

	ops := cloneOps(t, orgs[0], "insp", template, victim)
	ops = append(ops, eventOp("inspection.recorded", victim))
	o := attack(t, signer, orgs, "quality:RecordInspection", rogue.Script{Ops: ops})
	refusedOrIgnored(t, o)
	wantNotPassed(t, victim, "three other orgs")
}

func TestAttackCoalitionDeletesAccessRecord(t *testing.T) {
	orgs, signer := coalition(t)
	id := inspectedUnit(t, "COALACC", true)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	grantConsent(t, id, "adversary: honest consent", time.Now().Add(time.Hour))
	nw.api.must(t, "partner-operator", http.MethodGet, "/v1/items/"+id+"/shared/inspection.detail", nil, nil, http.StatusOK)
	var before domain.Page[domain.AccessRecord]
	nw.api.must(t, "maker-qa", http.MethodGet, "/v1/audit?subject="+id, nil, &before, http.StatusOK)
	if len(before.Records) == 0 {
		t.Fatalf("no access record of the honest read of %s", id)
	}

	// The partner and two others erase the record of its read.
	var ops []rogue.Op
	for _, scan := range []rogue.Op{
		{Op: rogue.OpScan, ObjectType: "access", Attrs: []string{maker, id}},
		{Op: rogue.OpScan, ObjectType: "accessorg", Attrs: []string{maker, partner}},
	} {
		for _, kv := range rogueRead(t, orgs[0], scan).Reads {
			for _, rec := range before.Records {
				if strings.Contains(kv.Key, rec.TxID) {
					ops = append(ops, rogue.Op{Op: rogue.OpDel, Key: kv.Key})
				}
			}
		}
	}
	for _, rec := range before.Records {
		ops = append(ops, rogue.Op{Op: rogue.OpDel, Key: "\x00accessid\x00" + rec.TxID + "\x00"})
	}
	ops = append(ops, eventOp("access.recorded", id))
	o := attack(t, signer, orgs, "sharing:RecordAccess", rogue.Script{Ops: ops})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	for _, who := range []string{"maker-qa", "regulator"} {
		var after domain.Page[domain.AccessRecord]
		nw.api.must(t, who, http.MethodGet, "/v1/audit?subject="+id, nil, &after, http.StatusOK)
		if len(after.Records) != len(before.Records) {
			t.Errorf("ATTACK SUCCEEDED: audit for %s lists %d access records, %d before the deletion", who, len(after.Records), len(before.Records))
		}
	}
}

func TestAttackCoalitionDeletesRecall(t *testing.T) {
	needRogue(t, "maker", "platform", "partner", "regulator")
	plan(t)
	id := newID(makerPrefix, "COALRECALL")
	register(t, unit(id))
	nw.api.must(t, "regulator", http.MethodPost, "/v1/items/"+id+"/recall", map[string]any{"reason": "adversary: recall to erase"}, nil, http.StatusOK)
	k, err := chaincode.RecallKey(id)
	if err != nil {
		t.Fatal(err)
	}
	maker := nw.msp("maker")
	for _, orgs := range [][]string{
		nw.mspsExcept(maker),               // three non-owners
		nw.mspsExcept(nw.msp("regulator")), // the owner with two others, without the regulator
	} {
		o := attack(t, nw.user(t, nw.firstUser(orgs[0])), orgs, "quality:Recall", rogue.Script{Ops: []rogue.Op{
			{Op: rogue.OpDel, Key: k}, eventOp("item.recalled", id),
		}})
		wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
		r := verify(t, id)
		r.each(func(src string, v domain.Verification) {
			if !v.Recalled {
				t.Errorf("ATTACK SUCCEEDED (%s verify): recall deleted by %v", src, orgs)
			}
		})
	}
}

// The three non-owners run the honest RegisterItems as if maker-operator
// had asked — an item under the maker's prefix with the maker's GTIN —
// leaving out what needs the maker. A "genuine" product nobody made.
func TestAttackCoalitionForgesItem(t *testing.T) {
	orgs, signer := coalition(t)
	maker := nw.msp("maker")
	id := newID(makerPrefix, "COALITEM")
	gtin, serial := makerGTIN(t), "F"+nw.run
	items, _ := json.Marshal([]map[string]any{{"id": id, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": serial}})
	o := attack(t, signer, orgs, "registry:RegisterItems", impersonate(t, "maker-operator", []string{maker}, "registry:RegisterItems", string(items)))
	refusedOrIgnored(t, o)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[nw.msp("platform")], nw.user(t, "platform-admin"), call{Fn: "public:Verify", Args: []string{id}})
	var v domain.Verification
	if err == nil && json.Unmarshal(b, &v) == nil && v.Genuine {
		t.Errorf("ATTACK SUCCEEDED (chaincode verify): the forged item reads genuine")
	}
	if st, b := nw.api.do(t, "", http.MethodGet, "/v1/verify/"+id, nil, nil); st != http.StatusNotFound {
		t.Errorf("ATTACK SUCCEEDED (REST verify): HTTP %d %.160s, want 404", st, b)
	}
	if st, b := nw.api.do(t, "", http.MethodGet, "/01/"+gtin+"/21/"+serial, nil, nil); !serialUnregistered(st, b, serial) {
		t.Errorf("ATTACK SUCCEEDED (Digital Link): HTTP %d %.160s, want 404 or the walked-up answer saying the serial is not registered", st, b)
	}
	// The maker's own registration of that id, GTIN and serial still works.
	var res domain.BatchResult
	st, body := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": id, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": serial},
	}}, &res)
	if st != http.StatusCreated || len(res.Results) != 1 || res.Results[0].Status != domain.ResultCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of registration): the maker's own registration after the forgery answered HTTP %d %.200s, want 201 created — an unanchored copy of the record must not count as the maker's item", st, body)
	}
	if st, b := nw.api.do(t, "", http.MethodGet, "/v1/verify/"+id, nil, nil); st != http.StatusOK {
		t.Errorf("the maker's item after its own registration: HTTP %d %.160s, want 200 genuine", st, b)
	}
}

// The three non-owners write only the GS1 index entry of the maker's GTIN
// and a new serial, pointing at an id of the partner's: GTIN squatting
// without the honest GCP check.
func TestAttackCoalitionSquatsGS1Index(t *testing.T) {
	orgs, signer := coalition(t)
	gtin, serial := makerGTIN(t), "X"+nw.run
	squat := newID(partnerPrefix, "IDXSQUAT")
	nw.api.must(t, "partner-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": squat, "kind": "unit", "industry": "generic"},
	}}, nil, http.StatusCreated)
	o := attack(t, signer, orgs, "registry:RegisterItems", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: "\x00gs1\x00" + gtin + "\x00" + serial + "\x00", Value: []byte(squat)}, eventOp("items.registered", squat),
	}})
	refusedOrIgnored(t, o)
	if st, b := nw.api.do(t, "", http.MethodGet, "/01/"+gtin+"/21/"+serial, nil, nil); !serialUnregistered(st, b, serial) {
		t.Errorf("ATTACK SUCCEEDED (Digital Link): the maker's GTIN resolves through the squatted index: HTTP %d %.160s, want 404 or the walked-up answer saying the serial is not registered", st, b)
	}
	genuine := newID(makerPrefix, "IDXGENUINE")
	var res domain.BatchResult
	st, b := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": genuine, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": serial},
	}}, &res)
	if st != http.StatusCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of registration): the maker's registration of its GTIN + serial: HTTP %d %.200s, want 201", st, b)
	}
	var v domain.Verification
	if st, b := nw.api.do(t, "", http.MethodGet, "/01/"+gtin+"/21/"+serial, nil, &v); st != http.StatusOK || v.ID != genuine {
		t.Errorf("ATTACK SUCCEEDED: the Digital Link resolves to %q (HTTP %d %.120s), want %s", v.ID, st, b, genuine)
	}
}

// Three orgs without the platform (whose service identity alone records
// first scans) write a first scan dated a month back for a maker unit: the
// "possibly copied" warning on a genuine product.
func TestAttackCoalitionPlantsFirstScan(t *testing.T) {
	needRogue(t, "maker", "partner", "regulator")
	orgs := nw.mspsExcept(nw.msp("platform"))
	id := newID(makerPrefix, "COALSCAN")
	register(t, unit(id))
	planted := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	v, _ := json.Marshal(chaincode.FirstScan{ID: id, At: planted, By: "PlatformMSP"})
	o := attack(t, nw.user(t, "maker-operator"), orgs, "public:RecordFirstScans", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: "\x00scan\x00" + id + "\x00", Value: v}, eventOp("scans.first", id),
	}})
	refusedOrIgnored(t, o)
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.FirstScanAt == planted {
			t.Errorf("ATTACK SUCCEEDED (%s verify): firstScanAt %s planted by %v", src, v.FirstScanAt, orgs)
		}
	})
}

// serialUnregistered tells whether a Digital Link answer treats serial as
// not registered by its maker: a 404, or the resolver's walk-up to the GTIN
// (issue 14) that names the serial as unregistered and is not genuine.
func serialUnregistered(status int, body []byte, serial string) bool {
	if status == http.StatusNotFound {
		return true
	}
	var v struct {
		Level        string `json:"level"`
		Genuine      *bool  `json:"genuine"`
		Unregistered *struct {
			Serial string `json:"serial"`
		} `json:"unregistered"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &v) != nil {
		return false
	}
	return v.Level == "product" && v.Unregistered != nil && v.Unregistered.Serial == serial && (v.Genuine == nil || !*v.Genuine)
}
