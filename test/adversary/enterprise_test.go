//go:build integration

package adversary

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// The enterprise layer (issue 15): the registry records (ent, pfxent) are
// assignments (the authority AND a majority of the others), anchored by the
// authority; plans of an enterprise (entplan) are owned records of the
// hosting org, anchored by it.

// enterprise is one onboarded through the REST API by the authority.
type enterprise struct {
	ID, Prefix, Org string
	users           map[string]string // name → user name for nw.api
}

// onboard creates an enterprise hosted by org with a fresh 标识 prefix and
// users (name → role), as the authority's admin does through the API.
func onboard(t *testing.T, org string, users map[string]string) enterprise {
	t.Helper()
	e := enterprise{ID: newUSCC(t), Prefix: newPrefix(t), Org: org, users: map[string]string{}}
	nw.api.must(t, "platform-admin", http.MethodPost, "/v1/enterprises", map[string]any{
		"id": e.ID, "name": "对抗测试企业 adversary " + e.ID[8:16], "industries": []string{"generic"}, "org": org,
	}, nil, http.StatusCreated)
	nw.api.must(t, "platform-admin", http.MethodPost, "/v1/prefixes", map[string]string{"prefix": e.Prefix, "enterprise": e.ID}, nil, http.StatusCreated)
	for name, role := range users {
		var u struct {
			APIKey string `json:"apiKey"`
		}
		nw.api.must(t, "platform-admin", http.MethodPost, "/v1/enterprises/"+e.ID+"/users", map[string]string{"name": name, "role": role}, &u, http.StatusCreated)
		if u.APIKey == "" {
			t.Fatalf("user %s of %s: no API key", name, e.ID)
		}
		e.users[name] = nw.api.addKey(e.ID+"-"+name, u.APIKey)
	}
	return e
}

// newUSCC is a fresh valid 统一社会信用代码 (random organisation code).
func newUSCC(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	u, err := identifier.EnterpriseUSCC("330100", fmt.Sprintf("MA%06d", n.Int64()))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newPrefix is a fresh 标识 prefix under the suite's own branch.
func newPrefix(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("88.716.%d", n.Int64())
}

// chainEnterprise is the chaincode's GetEnterprise on org's peer.
func chainEnterprise(t *testing.T, org, id string) (domain.Enterprise, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := nw.user(t, nw.firstUser(org))
	b, err := nw.evaluate(ctx, nw.gws[org], a, call{Fn: "enterprise:GetEnterprise", Args: []string{id}, Orgs: []string{org}})
	if err != nil {
		return domain.Enterprise{}, err
	}
	var e domain.Enterprise
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("GetEnterprise answered %q: %v", b, err)
	}
	return e, nil
}

// listed reports whether GET /v1/enterprises?org= lists id, and any
// listed record of id whose org is not the one asked for.
func listed(t *testing.T, org, id string) (found bool, wrongOrg string) {
	t.Helper()
	var page domain.Page[domain.Enterprise]
	nw.api.must(t, "maker-operator", http.MethodGet, "/v1/enterprises?org="+org+"&pageSize=1000", nil, &page, http.StatusOK)
	for _, e := range page.Records {
		if e.ID == id {
			found = true
		}
		if e.Org != org {
			wrongOrg = e.ID + " hosted by " + e.Org
		}
	}
	return found, wrongOrg
}

func pfxEntKey(prefix string) string { return "\x00pfxent\x00" + prefix + "\x00" }

// The maker, the partner and the regulator (everyone but the authority)
// run the honest CreateEnterprise as the authority's admin — an enterprise
// hosted by the maker — leaving out the authority's anchor, and assign it
// the maker's own demo prefix. Reads must ignore both; the maker's own
// users keep their prefix; the authority's later creation of that id is
// not blocked.
func TestAttackCoalitionForgesEnterprise(t *testing.T) {
	needRogue(t, "maker", "partner", "regulator")
	platform, maker := nw.msp("platform"), nw.msp("maker")
	orgs := nw.mspsExcept(platform)
	signer := nw.user(t, "maker-admin")
	id := newUSCC(t)
	in, _ := json.Marshal(domain.EnterpriseInput{ID: id, Name: "伪造企业 forged", Industries: []domain.Industry{domain.IndustryGeneric}, Org: maker})

	full := attack(t, signer, orgs, "enterprise:CreateEnterprise", impersonate(t, "platform-admin", nil, "enterprise:CreateEnterprise", string(in)))
	if full.EndorseErr == nil {
		wantRefused(t, full, "ENDORSEMENT_POLICY_FAILURE")
	}
	o := attack(t, signer, orgs, "enterprise:CreateEnterprise", impersonate(t, "platform-admin", []string{platform}, "enterprise:CreateEnterprise", string(in)))
	refusedOrIgnored(t, o)

	// The maker's own prefix, re-assigned to the forged enterprise (and to
	// an onboarded enterprise of the maker's) by the coalition.
	real := onboard(t, maker, map[string]string{"op": domain.RoleOperator})
	for _, ent := range []string{id, real.ID} {
		rec, _ := json.Marshal(domain.EnterprisePrefix{Kind: domain.PrefixKindHandle, Prefix: makerPrefix, Enterprise: ent, Org: maker,
			AssignedBy: "CN=platform-admin", AssignedAt: time.Now().UTC().Format(time.RFC3339Nano), TxID: strings.Repeat("d", 64)})
		o = attack(t, signer, orgs, "enterprise:AssignEnterprisePrefix", rogue.Script{Ops: []rogue.Op{
			{Op: rogue.OpPut, Key: pfxEntKey(makerPrefix), Value: rec},
			{Op: rogue.OpPut, Key: "\x00entpfx\x00" + ent + "\x00" + domain.PrefixKindHandle + "\x00" + makerPrefix + "\x00", Value: []byte{0}},
		}})
		refusedOrIgnored(t, o)
		// The maker's org users still own the prefix: registration works,
		// and nothing names the enterprise as maker; the real enterprise's
		// user gains nothing under it.
		if ent == real.ID {
			sid := newID(makerPrefix, "ENTSQUAT")
			var res domain.BatchResult
			st, b := nw.api.do(t, real.users["op"], http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
				{"id": sid, "kind": "unit", "industry": "generic"}}}, &res)
			if st == http.StatusCreated {
				t.Errorf("ATTACK SUCCEEDED: enterprise %s's user registered %s under the maker org's own prefix after the forged assignment: %.200s", real.ID, sid, b)
			}
		}
		uid := newID(makerPrefix, "ENTPFX")
		register(t, unit(uid))
		verify(t, uid).each(func(src string, v domain.Verification) {
			if !v.Genuine || v.MakerEnterprise != nil {
				t.Errorf("ATTACK SUCCEEDED (%s verify): the maker's item after the forged prefix assignment to %s reads genuine=%v maker enterprise %+v", src, ent, v.Genuine, v.MakerEnterprise)
			}
		})
	}

	if e, err := chainEnterprise(t, maker, id); err == nil {
		t.Errorf("ATTACK SUCCEEDED (chaincode GetEnterprise): %+v", e)
	}
	if st, b := nw.api.do(t, "maker-operator", http.MethodGet, "/v1/enterprises/"+id, nil, nil); st != http.StatusNotFound {
		t.Errorf("ATTACK SUCCEEDED (REST enterprise): HTTP %d %.200s, want 404", st, b)
	}
	if found, _ := listed(t, maker, id); found {
		t.Errorf("ATTACK SUCCEEDED (REST list): the forged enterprise is listed for %s", maker)
	}
	// The authority creates that id for real: not blocked by the copy.
	st, b := nw.api.do(t, "platform-admin", http.MethodPost, "/v1/enterprises", map[string]any{
		"id": id, "name": "真实企业 genuine", "industries": []string{"generic"}, "org": nw.msp("partner"),
	}, nil)
	if st != http.StatusCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of onboarding): the authority's creation of %s after the forgery: HTTP %d %.200s, want 201", id, st, b)
	}
	if e, err := chainEnterprise(t, maker, id); err != nil || e.Org != nw.msp("partner") || e.Name != "真实企业 genuine" {
		t.Errorf("the authority's enterprise %s: %v %+v", id, err, e)
	}
}

// An enterprise hosted by the maker is re-hosted to the partner, suspended,
// and its prefix taken from it (re-assigned to another enterprise, or the
// assignment deleted so that the prefix reads as the maker org's own) — by
// the three orgs without the authority, and by the authority alone. Index
// entries that list it under the partner, or list its prefix under another
// enterprise, are planted too.
func TestAttackCoalitionRehostsEnterprise(t *testing.T) {
	needRogue(t, "maker", "platform", "partner", "regulator")
	platform, maker, partner := nw.msp("platform"), nw.msp("maker"), nw.msp("partner")
	victim := onboard(t, maker, map[string]string{"op": domain.RoleOperator})
	other := onboard(t, partner, nil)
	nw.api.must(t, victim.users["op"], http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": victim.Prefix + "/V-1", "kind": "unit", "industry": "generic"}}}, nil, http.StatusCreated)

	ek, err := chaincode.EnterpriseKey(victim.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur := rogueRead(t, maker, rogue.Op{Op: rogue.OpGet, Key: ek}, rogue.Op{Op: rogue.OpGet, Key: pfxEntKey(victim.Prefix)})
	if len(cur.Reads) != 2 || !cur.Reads[0].Found || !cur.Reads[1].Found {
		t.Fatalf("the enterprise's records: %+v", cur.Reads)
	}
	var ent domain.Enterprise
	var pe domain.EnterprisePrefix
	if json.Unmarshal(cur.Reads[0].Value, &ent) != nil || json.Unmarshal(cur.Reads[1].Value, &pe) != nil {
		t.Fatalf("the enterprise's records: %q %q", cur.Reads[0].Value, cur.Reads[1].Value)
	}
	rehosted, suspended := ent, ent
	rehosted.Org = partner
	suspended.Status = domain.EnterpriseSuspended
	moved := pe
	moved.Enterprise, moved.Org = other.ID, partner
	put := func(k string, v any) rogue.Op {
		b, _ := json.Marshal(v)
		return rogue.Op{Op: rogue.OpPut, Key: k, Value: b}
	}
	writes := map[string][]rogue.Op{
		"re-host to the partner": {put(ek, rehosted), {Op: rogue.OpPut, Key: "\x00entorg\x00" + partner + "\x00" + victim.ID + "\x00", Value: []byte{0}}},
		"suspend":                {put(ek, suspended)},
		"re-assign the prefix":   {put(pfxEntKey(victim.Prefix), moved)},
		"delete the assignment":  {{Op: rogue.OpDel, Key: pfxEntKey(victim.Prefix)}},
	}
	for _, orgs := range [][]string{nw.mspsExcept(platform), {platform}} {
		for _, what := range []string{"re-host to the partner", "suspend", "re-assign the prefix", "delete the assignment"} {
			t.Logf("%s by %v", what, orgs)
			o := attack(t, nw.user(t, nw.firstUser(orgs[0])), orgs, "enterprise:SetEnterpriseStatus",
				rogue.Script{Ops: append(writes[what], eventOp(chaincode.EvEnterpriseChanged, victim.ID))})
			wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
		}
	}
	// Index entries alone (new keys: a majority may create them).
	o := attack(t, nw.user(t, "partner-admin"), nw.mspsExcept(platform), "enterprise:CreateEnterprise", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: "\x00entorg\x00" + partner + "\x00" + victim.ID + "\x00", Value: []byte{0}},
		{Op: rogue.OpPut, Key: "\x00entpfx\x00" + other.ID + "\x00" + domain.PrefixKindHandle + "\x00" + victim.Prefix + "\x00", Value: []byte{0}},
	}})
	refusedOrIgnored(t, o)

	var got domain.Enterprise
	nw.api.must(t, "maker-operator", http.MethodGet, "/v1/enterprises/"+victim.ID, nil, &got, http.StatusOK)
	if got.Org != maker || got.Status != domain.EnterpriseActive {
		t.Errorf("ATTACK SUCCEEDED (REST enterprise): %s reads hosted by %s, %s", victim.ID, got.Org, got.Status)
	}
	if found, wrong := listed(t, partner, victim.ID); found || wrong != "" {
		t.Errorf("ATTACK SUCCEEDED (REST list): GET /v1/enterprises?org=%s lists %q (a record of another org: %q)", partner, victim.ID, wrong)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[maker], nw.user(t, "maker-operator"), call{Fn: "enterprise:ListEnterprisePrefixes", Args: []string{other.ID}, Orgs: []string{maker}})
	if err != nil {
		t.Fatalf("ListEnterprisePrefixes: %v", err)
	}
	if strings.Contains(string(b), victim.Prefix) {
		t.Errorf("ATTACK SUCCEEDED (chaincode ListEnterprisePrefixes): %s lists the victim's prefix %s: %.200s", other.ID, victim.Prefix, b)
	}
	// The prefix is still the enterprise's: the maker org's own operator
	// cannot register under it, the enterprise's own user can.
	var res domain.BatchResult
	st, body := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": victim.Prefix + "/ORG-SQUAT", "kind": "unit", "industry": "generic"}}}, &res)
	if st < 300 {
		t.Errorf("ATTACK SUCCEEDED: the maker org's own operator registered under the enterprise's prefix: HTTP %d %.200s", st, body)
	}
	nw.api.must(t, victim.users["op"], http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": victim.Prefix + "/V-2", "kind": "unit", "industry": "generic"}}}, nil, http.StatusCreated)
}

// entPlanItems is a plan with one required check; laxPlanItems none.
var (
	entPlanItems = []map[string]any{{"code": "HIPOT", "name": "耐压 hipot", "kind": "boolean", "required": true}}
	laxPlan      = []domain.PlanItem{{Code: "LOOK", Name: "目检 look", Kind: "boolean", Required: false}}
)

// forgedPlan is an entplan record of enterprise ent (hosted by owner) for
// model as honest code would store it.
func forgedPlan(t *testing.T, owner, ent, model string, items []domain.PlanItem) (string, []byte) {
	t.Helper()
	k, err := chaincode.PlanKey(owner, ent, model)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(domain.Plan{Model: model, Industry: domain.IndustryGeneric, Owner: owner, Enterprise: ent, Version: 1, Items: items,
		UpdatedAt: time.Now().UTC().Format(time.RFC3339Nano), UpdatedBy: "forged", TxID: strings.Repeat("c", 64)})
	return k, b
}

// planOf is GET /v1/inspection-plans/{model}?owner=&enterprise= (404 → nil).
func planOf(t *testing.T, owner, ent, model string) *domain.Plan {
	t.Helper()
	var p domain.Plan
	st, b := nw.api.do(t, "maker-operator", http.MethodGet, "/v1/inspection-plans/"+model+"?owner="+owner+"&enterprise="+ent, nil, &p)
	switch st {
	case http.StatusOK:
		return &p
	case http.StatusNotFound:
		return nil
	}
	t.Fatalf("plan %s of %s: HTTP %d %.200s", model, ent, st, b)
	return nil
}

// The three orgs other than the hosting maker write an enterprise's
// inspection plan: over its plan in force (a lax plan without the required
// check), and, for models it has no plan for yet, a lax plan and a copy of
// the plan the enterprise is about to put.
func TestAttackCoalitionForgesEnterprisePlan(t *testing.T) {
	orgs, signer := coalition(t)
	maker := nw.msp("maker")
	ent := onboard(t, maker, map[string]string{"qa": domain.RoleQA})
	model, fresh, next := "ADV-ENT-"+nw.run, "ADV-ENT-NEW-"+nw.run, "ADV-ENT-NEXT-"+nw.run
	nw.api.must(t, ent.users["qa"], http.MethodPut, "/v1/inspection-plans/"+model, map[string]any{"industry": "generic", "items": entPlanItems}, nil, http.StatusOK)

	k, lax := forgedPlan(t, maker, ent.ID, model, laxPlan)
	o := attack(t, signer, orgs, "quality:PutPlan", rogue.Script{Ops: []rogue.Op{{Op: rogue.OpPut, Key: k, Value: lax}, eventOp(chaincode.EvPlanPut)}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	if p := planOf(t, maker, ent.ID, model); p == nil || len(p.Items) != 1 || p.Items[0].Code != "HIPOT" || !p.Items[0].Required {
		t.Errorf("ATTACK SUCCEEDED: the enterprise's plan in force reads %+v after the coalition's overwrite", p)
	}

	kf, laxFresh := forgedPlan(t, maker, ent.ID, fresh, laxPlan)
	var want []domain.PlanItem
	b, _ := json.Marshal(entPlanItems)
	_ = json.Unmarshal(b, &want)
	kn, copyNext := forgedPlan(t, maker, ent.ID, next, want)
	o = attack(t, signer, orgs, "quality:PutPlan", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: kf, Value: laxFresh}, {Op: rogue.OpPut, Key: kn, Value: copyNext}, eventOp(chaincode.EvPlanPut)}})
	refusedOrIgnored(t, o)
	for _, m := range []string{fresh, next} {
		if p := planOf(t, maker, ent.ID, m); p != nil {
			t.Errorf("ATTACK SUCCEEDED (REST plan): a plan of %s for %s the enterprise never put: %+v", ent.ID, m, p)
		}
	}
	// A plan of the enterprise under a coalition member's key, anchored by
	// that member: the enterprise is not hosted there.
	partner := nw.msp("partner")
	kp, foreign := forgedPlan(t, partner, ent.ID, model, laxPlan)
	o = attack(t, signer, orgs, "quality:PutPlan", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: kp, Value: foreign},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(partner), Key: kp, Value: []byte(strings.Repeat("a", 64))},
		eventOp(chaincode.EvPlanPut)}})
	refusedOrIgnored(t, o)
	if p := planOf(t, partner, ent.ID, model); p != nil {
		t.Errorf("ATTACK SUCCEEDED (REST plan): a plan of %s (hosted by %s) served as %s's: %+v", ent.ID, maker, partner, p)
	}
	// The enterprise now puts the plan the coalition copied in advance: it
	// must be in force afterwards (not answered "unchanged" from the copy).
	nw.api.must(t, ent.users["qa"], http.MethodPut, "/v1/inspection-plans/"+next, map[string]any{"industry": "generic", "items": entPlanItems}, nil, http.StatusOK)
	if p := planOf(t, maker, ent.ID, next); p == nil || p.UpdatedBy == "forged" {
		t.Errorf("ATTACK SUCCEEDED (denial of the plan): after the enterprise put its plan for %s it reads %+v", next, p)
	}
}

// The hosting org alone (its own rogue chaincode, endorsing alone or with
// one ally) rewrites an enterprise's plan in force: the org's users are not
// the enterprise, but the org's peers are, so the plan's policy must need
// a majority of the other orgs too.
func TestAttackHostingOrgRewritesEnterprisePlan(t *testing.T) {
	needRogue(t, "maker", "partner")
	maker := nw.msp("maker")
	ent := onboard(t, maker, map[string]string{"qa": domain.RoleQA})
	model := "ADV-ENT-HOST-" + nw.run
	nw.api.must(t, ent.users["qa"], http.MethodPut, "/v1/inspection-plans/"+model, map[string]any{"industry": "generic", "items": entPlanItems}, nil, http.StatusOK)
	k, lax := forgedPlan(t, maker, ent.ID, model, laxPlan)
	for _, orgs := range [][]string{{maker}, {maker, nw.msp("partner")}} {
		o := attack(t, nw.user(t, "maker-qa"), orgs, "quality:PutPlan", rogue.Script{Ops: []rogue.Op{
			{Op: rogue.OpPut, Key: k, Value: lax},
			{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(maker), Key: k, Value: []byte("forged")},
			eventOp(chaincode.EvPlanPut)}})
		wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	}
	if p := planOf(t, maker, ent.ID, model); p == nil || len(p.Items) != 1 || !p.Items[0].Required {
		t.Errorf("ATTACK SUCCEEDED: the enterprise's plan reads %+v after the hosting org's rewrite", p)
	}
}
