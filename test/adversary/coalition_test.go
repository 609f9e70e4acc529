//go:build integration

package adversary

import (
	"context"
	"encoding/json"
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
	plan(t)
	id := newID(makerPrefix, "COALCONS")
	register(t, unit(id))
	inspect(t, id, true)
	maker, partner := nw.msp("maker"), nw.msp("partner")

	in, _ := json.Marshal(domain.ConsentInput{
		Grantee: partner, Categories: []domain.Category{"inspection.detail"}, Subjects: []string{id},
		Purpose: "adversary: forged consent", ValidUntil: time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	})
	// The honest GrantConsent, run as if maker-qa had asked; writes that
	// would need the maker (its collection, keys its policy guards) left out.
	o := attack(t, signer, orgs, "sharing:GrantConsent", rogue.Script{Ops: []rogue.Op{{
		Op: rogue.OpInvoke, Args: []string{"sharing:GrantConsent", string(in)},
		Creator: nw.user(t, "maker-qa").Creator,
		Drop:    rogue.Drop{CollectionsOf: []string{maker}, ProtectedBy: []string{maker}},
	}}})
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
	// And through the REST API.
	st, b := nw.api.do(t, "partner-operator", http.MethodGet, "/v1/items/"+id+"/shared/inspection.detail?consent="+cs.ID, nil, nil)
	if st != http.StatusForbidden {
		t.Errorf("REST shared read under the forged consent: HTTP %d %.160s, want 403", st, b)
	}
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
	wantRefused(t, o)
	r := verify(t, victim)
	for src, v := range map[string]domain.Verification{"chaincode": r.Chain, "REST": r.REST} {
		if v.Released || v.Status == domain.Status("released") || v.ReleasedAt != "" {
			t.Errorf("ATTACK SUCCEEDED (%s verify): an uninspected unit reads released=%v status=%s releasedAt=%q", src, v.Released, v.Status, v.ReleasedAt)
		}
	}
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
	wantRefused(t, o)
	r := verify(t, victim)
	for src, v := range map[string]domain.Verification{"chaincode": r.Chain, "REST": r.REST} {
		if v.Quality == nil || v.Quality.Passed {
			t.Errorf("ATTACK SUCCEEDED (%s verify): quality %+v after a passing inspection forged by three other orgs", src, v.Quality)
		}
	}
	st, b := nw.api.do(t, "maker-qa", http.MethodPost, "/v1/items/"+victim+"/release", map[string]any{}, nil)
	if st != http.StatusConflict {
		t.Errorf("ATTACK SUCCEEDED: release gated on the forged inspection answered HTTP %d %.160s, want 409", st, b)
	}
}

func TestAttackCoalitionDeletesAccessRecord(t *testing.T) {
	orgs, signer := coalition(t)
	plan(t)
	id := newID(makerPrefix, "COALACC")
	register(t, unit(id))
	inspect(t, id, true)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	var cs domain.Consent
	nw.api.must(t, "maker-qa", http.MethodPost, "/v1/consents", domain.ConsentInput{
		Grantee: partner, Categories: []domain.Category{"inspection.detail"}, Subjects: []string{id},
		Purpose: "adversary: honest consent", ValidUntil: time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	}, &cs, http.StatusCreated)
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
		for src, v := range map[string]domain.Verification{"chaincode": r.Chain, "REST": r.REST} {
			if !v.Recalled {
				t.Errorf("ATTACK SUCCEEDED (%s verify): recall deleted by %v", src, orgs)
			}
		}
	}
}
